"""A customer's tax details: tax ids, and the includable `tax` hash Stripe renders only when
expanded, on a customer and on the list; checked against Stripe's OpenAPI document."""

from __future__ import annotations

from typing import Any

import stripe
from starlette.testclient import TestClient

from tests.sandbox.stripe_api.conftest import StripeHTTP
from tests.sandbox.stripe_api.stripe_spec import violations


def customer(raw: StripeHTTP, **address: str) -> str:
    form = {f"address[{field}]": value for field, value in address.items()}
    created: dict[str, Any] = raw.post("/customers", {"name": "ACME", **form}).json()
    return str(created["id"])


def test_tax_and_tax_ids_only_when_expanded(raw: StripeHTTP) -> None:
    berlin = customer(raw, country="DE", postal_code="10115")
    tax_id = raw.post(f"/customers/{berlin}/tax_ids", {"type": "eu_vat", "value": "DE123456789"})
    assert tax_id.status_code == 200, tax_id.text
    assert not violations("tax_id", tax_id.json())
    plain = raw.get(f"/customers/{berlin}").json()
    assert "tax" not in plain and "tax_ids" not in plain
    expanded = raw.get(f"/customers/{berlin}", {"expand[]": ["tax", "tax_ids"]}).json()
    assert not violations("customer", expanded)
    assert expanded["tax"] == {
        "automatic_tax": "supported",
        "ip_address": None,
        "location": {"country": "DE", "source": "billing_address", "state": None},
    }
    [listed_id] = expanded["tax_ids"]["data"]
    assert (listed_id["type"], listed_id["value"], listed_id["country"]) == (
        "eu_vat",
        "DE123456789",
        "DE",
    )


def test_the_list_expands_them_for_every_customer(stripe_client: stripe.StripeClient) -> None:
    stripe_client.v1.customers.create({"address": {"country": "US"}})  # no postal code
    stripe_client.v1.customers.create({})  # no address at all
    stripe_client.v1.customers.create({"address": {"country": "US", "postal_code": "94105"}})
    listed = stripe_client.v1.customers.list({"expand": ["data.tax", "data.tax_ids"]})
    assert [c.tax.automatic_tax for c in listed.data] == [
        "supported",
        "unrecognized_location",
        "unrecognized_location",
    ]
    assert all(c.tax_ids.data == [] for c in listed.data)


def test_without_active_stripe_tax_nothing_is_collected(raw: StripeHTTP, asgi: TestClient) -> None:
    account = raw.get("/account").json()["id"]
    assert asgi.post(f"/_sandbox/stripe/accounts/{account}/tax/deactivate").status_code == 200
    paris = customer(raw, country="FR")
    tax = raw.get(f"/customers/{paris}", {"expand[]": "tax"}).json()["tax"]
    assert tax["automatic_tax"] == "not_collecting"


def test_an_unknown_tax_id_type_is_refused(raw: StripeHTTP) -> None:
    someone = customer(raw, country="DE")
    response = raw.post(f"/customers/{someone}/tax_ids", {"type": "xx_vat", "value": "1"})
    assert response.status_code == 400
