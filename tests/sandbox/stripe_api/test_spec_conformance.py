"""Every kind of response the sandbox sends, checked against Stripe's OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.stripe_api.conftest import StripeHTTP
from tests.sandbox.stripe_api.stripe_spec import violations


def conforms(schema_name: str, body: Any) -> None:
    problems = violations(schema_name, body)
    assert not problems, f"{schema_name}: " + "; ".join(problems[:5])


def list_of(schema_name: str, body: dict[str, Any]) -> None:
    assert body["object"] == "list" and isinstance(body["has_more"], bool) and body["url"]
    for item in body["data"]:
        conforms(schema_name, item)


@pytest.fixture
def customer(raw: StripeHTTP) -> dict[str, Any]:
    created: dict[str, Any] = raw.post(
        "/customers",
        {
            "name": "ACME",
            "email": "ap@acme.test",
            "address[country]": "US",
            "metadata[team]": "growth",
            "payment_method": "pm_card_visa",
            "invoice_settings[default_payment_method]": "pm_card_visa",
        },
    ).json()
    return created


def test_account_and_customers(raw: StripeHTTP, customer: dict[str, Any]) -> None:
    conforms("account", raw.get("/account").json())
    conforms("customer", customer)
    expanded = raw.get(
        f"/customers/{customer['id']}", {"expand[]": "invoice_settings.default_payment_method"}
    ).json()
    conforms("customer", expanded)
    list_of("customer", raw.get("/customers", {"limit": 5}).json())
    conforms("deleted_customer", raw.delete(f"/customers/{customer['id']}").json())
    conforms("deleted_customer", raw.get(f"/customers/{customer['id']}").json())


def test_payment_methods(raw: StripeHTTP, customer: dict[str, Any]) -> None:
    listed = raw.get(f"/customers/{customer['id']}/payment_methods").json()
    list_of("payment_method", listed)
    method_id = listed["data"][0]["id"]
    conforms("payment_method", raw.post(f"/payment_methods/{method_id}/detach").json())
    created = raw.post(
        "/payment_methods",
        {"type": "card", "card[token]": "tok_mastercard", "billing_details[name]": "Ada"},
    ).json()
    conforms("payment_method", created)


def test_tax(raw: StripeHTTP) -> None:
    list_of("tax_code", raw.get("/tax_codes", {"limit": 100}).json())
    conforms("tax_code", raw.get("/tax_codes/txcd_10103001").json())
    conforms("tax.settings", raw.get("/tax/settings").json())
    conforms(
        "tax.settings", raw.post("/tax/settings", {"defaults[tax_behavior]": "exclusive"}).json()
    )


def test_checkout_and_portal(raw: StripeHTTP, customer: dict[str, Any]) -> None:
    session = raw.post(
        "/checkout/sessions",
        {
            "mode": "setup",
            "customer": customer["id"],
            "currency": "usd",
            "success_url": "https://a.test",
        },
    ).json()
    conforms("checkout.session", session)
    conforms("checkout.session", raw.get(f"/checkout/sessions/{session['id']}").json())
    conforms("billing_portal.configuration", raw.post("/billing_portal/configurations").json())
    portal = raw.post("/billing_portal/sessions", {"customer": customer["id"]}).json()
    conforms("billing_portal.session", portal)


def test_webhook_endpoints(raw: StripeHTTP) -> None:
    created = raw.post(
        "/webhook_endpoints", {"url": "https://h.test", "enabled_events[0]": "customer.updated"}
    ).json()
    conforms("webhook_endpoint", created)
    list_of("webhook_endpoint", raw.get("/webhook_endpoints").json())
    updated = raw.post(f"/webhook_endpoints/{created['id']}", {"disabled": "true"}).json()
    conforms("webhook_endpoint", updated)
    conforms("deleted_webhook_endpoint", raw.delete(f"/webhook_endpoints/{created['id']}").json())


def test_errors(raw: StripeHTTP) -> None:
    for response in (
        raw.get("/customers/cus_missing"),
        raw.get("/customers", {"limit": 1000}),
        raw.post("/customers", {"unknown": "x"}),
        raw.as_key("sk_test_bad").get("/account"),
        raw.get("/nowhere"),
    ):
        assert response.status_code >= 400
        conforms("error", response.json())
