"""Idempotency-Key replays the first outcome; other parameters with the same key are refused."""

from __future__ import annotations

import pytest
import stripe

from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_the_sdk_gets_the_same_customer_twice(stripe_client: stripe.StripeClient) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "create-acme-1"}

    first = stripe_client.v1.customers.create({"name": "ACME"}, options)
    second = stripe_client.v1.customers.create({"name": "ACME"}, options)

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert len(stripe_client.v1.customers.list().data) == 1


def test_other_parameters_with_the_same_key_are_an_idempotency_error(
    stripe_client: stripe.StripeClient,
) -> None:
    stripe_client.v1.customers.create({"name": "ACME"}, {"idempotency_key": "k-1"})

    with pytest.raises(stripe.IdempotencyError) as raised:
        stripe_client.v1.customers.create({"name": "Other"}, {"idempotency_key": "k-1"})

    assert raised.value.http_status == 400
    assert raised.value.error is not None and raised.value.error.type == "idempotency_error"


def test_errors_from_the_endpoint_are_replayed_too(raw: StripeHTTP) -> None:
    key = {"Idempotency-Key": "update-missing"}

    first = raw.post("/customers/cus_missing", {"name": "x"}, headers=key)
    second = raw.post("/customers/cus_missing", {"name": "x"}, headers=key)

    assert first.status_code == second.status_code == 404
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"


def test_parameter_errors_are_not_kept(raw: StripeHTTP) -> None:
    key = {"Idempotency-Key": "fix-and-retry"}

    refused = raw.post("/customers", {"nickname": "x"}, headers=key)
    accepted = raw.post("/customers", {"name": "x"}, headers=key)

    assert refused.status_code == 400 and accepted.status_code == 200
    assert "Idempotent-Replayed" not in accepted.headers


def test_a_failed_write_leaves_nothing_behind(raw: StripeHTTP) -> None:
    # The test card is materialised before the customer turns out to be unknown.
    refused = raw.post(
        "/payment_methods/pm_card_visa/attach",
        {"customer": "cus_missing"},
        headers={"Idempotency-Key": "attach-1"},
    )

    assert refused.status_code == 404
    assert raw.get("/payment_methods").json()["data"] == []


def test_keys_are_scoped_per_account(raw: StripeHTTP) -> None:
    key = {"Idempotency-Key": "shared-key"}
    other = raw.as_key("sk_live_" + "another" * 3)  # a key of the default live account
    raw.client.post("/_sandbox/stripe/keys", json={"key": "sk_live_" + "another" * 3})

    mine = raw.post("/customers", {"name": "x"}, headers=key).json()
    theirs = other.post("/customers", {"name": "x"}, headers=key)

    assert theirs.status_code == 200 and theirs.json()["id"] != mine["id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_keys_longer_than_255_characters_are_refused(raw: StripeHTTP) -> None:
    response = raw.post("/customers", {"name": "x"}, headers={"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert error_of(response)["type"] == "idempotency_error"
