"""Fingerprints of the secrets a saved plan would write: they match their value and tell
nothing else."""

from __future__ import annotations

from reconciler.core.actions import Address
from reconciler.engine.planning.planned_secrets import (
    PlannedSecret,
    changed,
    fingerprint,
    matches,
    record,
)

# Not hexadecimal past the prefix, so no part of it can show in a fingerprint by chance.
KEY = "sk_test_" + "Planned" + "Qz" * 12
OTHER = "sk_test_" + "Planned" + "Wy" * 10 + "QzQz"  # same prefix, same last four characters
APP = Address(type="stripe_app", name="stripe")


def test_a_fingerprint_matches_its_value_only() -> None:
    recorded = fingerprint(KEY)
    assert matches(KEY, recorded)
    assert not matches(OTHER, recorded)
    assert not matches(KEY, recorded.replace("scrypt:", "sha256:"))
    assert not matches(KEY, "scrypt:not-hex:00")
    assert not matches(KEY, "scrypt::" + recorded.rsplit(":", 1)[1])


def test_a_fingerprint_holds_no_part_of_the_value_and_is_salted() -> None:
    first, second = fingerprint(KEY), fingerprint(KEY)
    assert first != second  # a salt of its own: equal keys do not look equal
    assert matches(KEY, first) and matches(KEY, second)
    for recorded in (first, second):
        assert KEY[8:] not in recorded and KEY[-4:] not in recorded


def test_changed_names_the_resource_and_field_never_the_value() -> None:
    planned = record({APP: {"api_key": KEY}})
    assert [(p.address, p.field) for p in planned] == [(APP, "api_key")]
    assert changed(planned, {APP: {"api_key": KEY}}) == []
    assert changed(planned, {}) == []
    [reason] = changed(planned, {APP: {"api_key": OTHER}})
    assert reason == (
        "stripe_app.stripe: its secret api_key changed since the plan was made (the environment "
        "holds another value than the one planned)"
    )
    assert OTHER not in reason and KEY not in reason


def test_a_secret_without_a_fingerprint_is_not_taken_on_trust() -> None:
    other_app = PlannedSecret(
        address=Address(type="stripe_app", name="eu"), field="api_key", fingerprint=fingerprint(KEY)
    )
    [reason] = changed((other_app,), {APP: {"api_key": KEY}})
    assert reason.startswith("stripe_app.stripe: the plan records no fingerprint of its secret")
