"""Fingerprints of the secrets a saved plan would write: they match their value and tell
nothing else."""

from __future__ import annotations

import pytest

from reconciler.core.actions import Address
from reconciler.core.secrets import MalformedFingerprint, MissingSecret, SecretSource
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
    planned = record(
        {APP: {"api_key": "${env:STRIPE_API_KEY}"}}, SecretSource({"STRIPE_API_KEY": KEY})
    )
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


def test_with_read_credentials_the_declared_public_fingerprint_is_recorded() -> None:
    references = {APP: {"api_key": "${env:STRIPE_API_KEY}"}}
    declared = SecretSource({"STRIPE_API_KEY_FINGERPRINT": "sk_test_...QzQz"})
    [planned] = record(references, declared)
    assert planned.fingerprint == "public:sk_test_...QzQz"
    # Apply holds the key: one of that fingerprint is the one planned, another is not.
    assert changed((planned,), {APP: {"api_key": KEY}}) == []
    [reason] = changed((planned,), {APP: {"api_key": "sk_test_" + "Rotated" * 3 + "AbCd"}})
    assert "changed since the plan was made" in reason
    # The key itself, when the environment holds it, is what counts.
    both = SecretSource({"STRIPE_API_KEY": KEY, "STRIPE_API_KEY_FINGERPRINT": "sk_test_...XXXX"})
    [from_key] = record(references, both)
    assert from_key.fingerprint.startswith("scrypt:")


def test_a_declared_fingerprint_must_be_one_and_is_never_echoed() -> None:
    references = {APP: {"api_key": "${env:STRIPE_API_KEY}"}}
    # The key itself, set in the fingerprint variable by mistake.
    with pytest.raises(MalformedFingerprint) as refused:
        record(references, SecretSource({"STRIPE_API_KEY_FINGERPRINT": KEY}))
    assert KEY not in str(refused.value) and KEY[-4:] not in str(refused.value)
    assert "STRIPE_API_KEY_FINGERPRINT must hold a fingerprint" in str(refused.value)
    with pytest.raises(MissingSecret, match="STRIPE_API_KEY is not set"):
        record(references, SecretSource({}))
