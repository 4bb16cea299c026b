"""Stripe keys by their prefix: type and mode, read in one place by every part that asks."""

from __future__ import annotations

import pytest

from reconciler.manifests.secret_patterns import SECRET_PREFIXES, redact
from reconciler.stripe_keys import kind_of, mode_of

TAIL = "AbCdEf0123456789"


@pytest.mark.parametrize(
    ("key", "type_", "mode", "secret"),
    [
        ("sk_live_" + TAIL, "secret", "live", True),
        ("sk_test_" + TAIL, "secret", "test", True),
        ("rk_live_" + TAIL, "restricted", "live", True),
        ("rk_test_" + TAIL, "restricted", "test", True),
        ("pk_live_" + TAIL, "publishable", "live", False),
        ("pk_test_" + TAIL, "publishable", "test", False),
    ],
)
def test_a_key_is_known_by_its_prefix(key: str, type_: str, mode: str, secret: bool) -> None:
    kind = kind_of(key)
    assert kind is not None
    assert (kind.type, kind.mode, kind.is_secret) == (type_, mode, secret)
    assert kind.describe() == f"a {mode} Stripe {type_} key"


@pytest.mark.parametrize("value", ["", "whsec_" + TAIL, "sk_prod_" + TAIL, "kpat_" + TAIL])
def test_other_values_are_no_stripe_key(value: str) -> None:
    assert kind_of(value) is None


@pytest.mark.parametrize(
    ("keys", "mode"),
    [
        (["sk_test_" + TAIL, "rk_live_" + TAIL], "live"),
        (["rk_test_" + TAIL, "sk_live_" + TAIL], "live"),
        (["sk_test_" + TAIL, "rk_test_" + TAIL], "test"),
        (["not-a-key"], None),
        ([], None),
    ],
)
def test_one_live_key_makes_the_mode_live(keys: list[str], mode: str | None) -> None:
    assert mode_of(keys) == mode


def test_secret_and_restricted_keys_are_cut_from_text_publishable_ones_are_public() -> None:
    assert set(SECRET_PREFIXES) == {"sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"}
    text = f"rk_live_{TAIL} and pk_live_{TAIL}"
    assert redact(text) == f"rk_live_<redacted> and pk_live_{TAIL}"
