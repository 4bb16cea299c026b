"""Payment methods: test-card tokens, attach and detach, lists per customer."""

from __future__ import annotations

import pytest
import stripe

from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_card_tokens_give_realistic_cards(stripe_client: stripe.StripeClient) -> None:
    method = stripe_client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"token": "tok_amex"},
            "billing_details": {"name": "Ada", "address": {"country": "GB", "city": "London"}},
        }
    )

    fetched = stripe_client.v1.payment_methods.retrieve(method.id)

    assert method.id.startswith("pm_") and method.object == "payment_method"
    assert (method.card.brand, method.card.last4, method.type) == ("amex", "8431", "card")
    assert method.customer is None and method.livemode is False
    assert method.billing_details.address.city == "London"
    assert method.billing_details.address.postal_code is None
    assert fetched.to_dict() == method.to_dict()


def test_cards_carry_their_expiry_also_when_expanded_as_invoice_default(
    stripe_client: stripe.StripeClient,
) -> None:
    lapsed = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"token": "tok_visa", "exp_month": 3, "exp_year": 2021}}
    )
    fresh = stripe_client.v1.payment_methods.create({"type": "card", "card": {"token": "tok_visa"}})
    customer = stripe_client.v1.customers.create({"email": "a@example.com"})
    stripe_client.v1.payment_methods.attach(lapsed.id, {"customer": customer.id})
    stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": lapsed.id}}
    )

    [listed] = stripe_client.v1.customers.list(
        {"expand": ["data.invoice_settings.default_payment_method"]}
    ).data

    # Without an expiry, a test token gives the sandbox's default one.
    assert (fresh.card.exp_month, fresh.card.exp_year) == (12, 2034)
    default = listed.invoice_settings.default_payment_method
    assert (default.id, default.card.exp_month, default.card.exp_year) == (lapsed.id, 3, 2021)


def test_attach_list_retrieve_and_detach(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create({"name": "A"})
    visa = stripe_client.v1.payment_methods.create({"type": "card", "card": {"token": "tok_visa"}})

    attached = stripe_client.v1.payment_methods.attach(visa.id, {"customer": customer.id})
    stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": visa.id}}
    )
    per_customer = stripe_client.v1.customers.payment_methods.list(customer.id, {"type": "card"})
    by_filter = stripe_client.v1.payment_methods.list({"customer": customer.id})
    one = stripe_client.v1.customers.payment_methods.retrieve(customer.id, visa.id)
    detached = stripe_client.v1.payment_methods.detach(visa.id)
    after = stripe_client.v1.customers.retrieve(customer.id)

    assert attached.customer == customer.id and one.id == visa.id
    assert [m.id for m in per_customer.data] == [visa.id] == [m.id for m in by_filter.data]
    assert per_customer.url == f"/v1/customers/{customer.id}/payment_methods"
    assert detached.customer is None
    assert after.invoice_settings.default_payment_method is None
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []


def test_a_method_belongs_to_one_customer(stripe_client: stripe.StripeClient) -> None:
    first = stripe_client.v1.customers.create({"name": "first"})
    second = stripe_client.v1.customers.create({"name": "second"})
    method = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"token": "tok_visa"}}
    )
    stripe_client.v1.payment_methods.attach(method.id, {"customer": first.id})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.payment_methods.attach(method.id, {"customer": second.id})
    with pytest.raises(stripe.InvalidRequestError) as not_theirs:
        stripe_client.v1.customers.payment_methods.retrieve(second.id, method.id)

    assert raised.value.http_status == 400
    assert not_theirs.value.http_status == 404


def test_detaching_a_loose_method_is_a_400(raw: StripeHTTP) -> None:
    method = raw.post("/payment_methods", {"type": "card", "card[token]": "tok_visa"}).json()

    response = raw.post(f"/payment_methods/{method['id']}/detach")

    assert response.status_code == 400
    assert error_of(response)["code"] == "payment_method_unexpected_state"


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"type": "sepa_debit"}, "type"),
        ({"type": "card"}, "card"),
        ({"type": "card", "card[token]": "tok_nothing"}, "card[token]"),
        ({"type": "card", "card[number]": "4242424242424242"}, "card[number]"),
    ],
)
def test_cards_come_from_known_test_tokens(
    raw: StripeHTTP, form: dict[str, str], param: str
) -> None:
    response = raw.post("/payment_methods", form)

    assert response.status_code == 400 and error_of(response)["param"] == param


def test_update_merges_billing_details_and_metadata(raw: StripeHTTP) -> None:
    method = raw.post(
        "/payment_methods",
        {"type": "card", "card[token]": "tok_visa", "billing_details[name]": "Ada"},
    ).json()

    updated = raw.post(
        f"/payment_methods/{method['id']}",
        {"billing_details[email]": "ada@acme.test", "metadata[source]": "test"},
    ).json()

    assert updated["billing_details"]["name"] == "Ada"
    assert updated["billing_details"]["email"] == "ada@acme.test"
    assert updated["metadata"] == {"source": "test"}


def test_update_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    method = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"token": "tok_visa"}}
    )

    updated = stripe_client.v1.payment_methods.update(
        method.id,
        {"billing_details": {"address": {"postal_code": "10115"}}, "metadata": {"a": "1"}},
    )

    assert updated.billing_details.address.postal_code == "10115"
    assert updated.metadata.to_dict() == {"a": "1"}
