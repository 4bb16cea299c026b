"""Bracket notation as Stripe clients encode it."""

from __future__ import annotations

import pytest

from reconciler.sandbox.stripe_api.errors import StripeError
from reconciler.sandbox.stripe_api.forms import parse_form, parse_pairs


def test_nested_hashes_and_both_array_styles() -> None:
    body = (
        b"metadata[team]=growth&invoice_settings[default_payment_method]=pm_1"
        b"&enabled_events[0]=customer.updated&enabled_events[1]=setup_intent.succeeded"
        b"&expand[]=a&expand[]=b&address[line1]=1+Main+St"
    )

    assert parse_form(body) == {
        "metadata": {"team": "growth"},
        "invoice_settings": {"default_payment_method": "pm_1"},
        "enabled_events": ["customer.updated", "setup_intent.succeeded"],
        "expand": ["a", "b"],
        "address": {"line1": "1 Main St"},
    }


def test_indexes_order_the_list_whatever_the_arrival_order() -> None:
    parsed = parse_pairs([("items[1][price]", "b"), ("items[0][price]", "a")])

    assert parsed == {"items": [{"price": "a"}, {"price": "b"}]}


def test_empty_values_are_kept_to_unset_fields() -> None:
    assert parse_form(b"metadata[gone]=&email=") == {"metadata": {"gone": ""}, "email": ""}
    assert parse_form(b"metadata=") == {"metadata": ""}


def test_numbers_with_gaps_are_names_not_positions() -> None:
    assert parse_form(b"metadata[0]=x&metadata[1]=y") == {"metadata": ["x", "y"]}
    assert parse_form(b"metadata[7]=x") == {"metadata": {"7": "x"}}


@pytest.mark.parametrize("body", [b"metadata[team=growth", b"a]b=1", b"list[0]=a&list[x]=b"])
def test_malformed_names_are_a_400(body: bytes) -> None:
    with pytest.raises(StripeError) as raised:
        parse_form(body)

    assert raised.value.status == 400
