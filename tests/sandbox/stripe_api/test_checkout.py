"""Setup-mode checkout sessions and billing portal sessions."""

from __future__ import annotations

import pytest
import stripe
from starlette.testclient import TestClient

from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError
from tests.conftest import SANDBOX_STRIPE_KEY
from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_setup_session_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create({"email": "a@acme.test"})

    session = stripe_client.v1.checkout.sessions.create(
        {
            "mode": "setup",
            "customer": customer.id,
            "currency": "usd",
            "success_url": "https://app.test/ok?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://app.test/cancel",
            "metadata": {"om_customer_id": "01J0"},
            "client_reference_id": "01J0",
        }
    )
    fetched = stripe_client.v1.checkout.sessions.retrieve(session.id, {"expand": ["customer"]})

    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert (session.mode, session.status, session.customer) == ("setup", "open", customer.id)
    assert session.url.endswith("/hosted/checkout/" + session.id)
    assert session.setup_intent.startswith("seti_")
    assert session.expires_at > session.created and session.metadata.om_customer_id == "01J0"
    assert fetched.customer.email == "a@acme.test"


def test_embedded_sessions_have_a_client_secret_and_no_url(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {}).json()

    session = raw.post(
        "/checkout/sessions",
        {
            "mode": "setup",
            "customer": customer["id"],
            "ui_mode": "embedded",
            "return_url": "https://app.test/back",
            "payment_method_types[0]": "card",
        },
    ).json()

    assert session["url"] is None and session["client_secret"].startswith(session["id"])
    assert session["return_url"] == "https://app.test/back"


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"mode": "payment"}, "mode"),
        ({"mode": "setup", "currency": "usd"}, "customer"),
        ({"mode": "setup"}, "currency"),
        ({"mode": "setup", "currency": "usd", "return_url": "https://x.test"}, "return_url"),
    ],
)
def test_session_parameters_are_checked(raw: StripeHTTP, form: dict[str, str], param: str) -> None:
    customer = raw.post("/customers", {}).json()
    if param != "customer":
        form = {**form, "customer": customer["id"]}

    response = raw.post("/checkout/sessions", form)

    assert response.status_code == 400 and error_of(response)["param"] == param


def test_completion_is_visible_through_the_api(asgi: TestClient, raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {"name": "Ada"}).json()
    session = raw.post(
        "/checkout/sessions", {"mode": "setup", "customer": customer["id"], "currency": "usd"}
    ).json()
    store = asgi.app.state.sandbox.store  # type: ignore[attr-defined]

    customer_id, method_id = world.complete_checkout_session(store, session["id"])

    after = raw.get(f"/customers/{customer_id}").json()
    assert raw.get(f"/checkout/sessions/{session['id']}").json()["status"] == "complete"
    assert after["invoice_settings"]["default_payment_method"] == method_id
    method = raw.get(f"/payment_methods/{method_id}").json()
    assert method["billing_details"]["address"]["line1"] and method["customer"] == customer_id


def test_portal_session_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create({"name": "A"})

    session = stripe_client.v1.billing_portal.sessions.create(
        {"customer": customer.id, "return_url": "https://app.test", "locale": "de"}
    )

    assert session.id.startswith("bps_") and session.object == "billing_portal.session"
    assert session.configuration.startswith("bpc_")
    assert session.url.endswith("/hosted/portal/" + session.id)
    assert (session.return_url, session.locale, session.livemode) == (
        "https://app.test",
        "de",
        False,
    )


def test_portal_needs_a_default_configuration(
    stripe_and_admin: tuple[StripeHTTP, TestClient],
) -> None:
    api, admin = stripe_and_admin
    customer = api.post("/customers", {}).json()
    account = admin.post("/_sandbox/stripe/accounts/for-key", json={"key": SANDBOX_STRIPE_KEY})
    account_id = account.json()["id"]

    removed = admin.delete(f"/_sandbox/stripe/accounts/{account_id}/portal-configurations/default")
    refused = api.post("/billing_portal/sessions", {"customer": customer["id"]})
    configuration = api.post("/billing_portal/configurations", {}).json()
    accepted = api.post("/billing_portal/sessions", {"customer": customer["id"]})

    assert removed.json() == {"removed": 1}
    assert refused.status_code == 400 and "default configuration" in error_of(refused)["message"]
    assert configuration["is_default"] is True
    assert accepted.json()["configuration"] == configuration["id"]


def test_portal_refuses_unknown_customers_and_configurations(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {}).json()

    no_customer = raw.post("/billing_portal/sessions", {"customer": "cus_unknown"})
    no_configuration = raw.post(
        "/billing_portal/sessions", {"customer": customer["id"], "configuration": "bpc_unknown"}
    )

    assert no_customer.status_code == 404 and error_of(no_customer)["param"] == "customer"
    assert no_configuration.status_code == 404
    assert error_of(no_configuration)["param"] == "configuration"


def test_sessions_past_expires_at_are_expired(asgi: TestClient, raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {}).json()
    too_soon = raw.post(
        "/checkout/sessions",
        {"mode": "setup", "customer": customer["id"], "currency": "usd", "expires_at": "1"},
    )
    store = asgi.app.state.sandbox.store  # type: ignore[attr-defined]
    account = world.account_for_key(store, SANDBOX_STRIPE_KEY)
    assert account is not None
    session = world.create_checkout_session(
        store, account["id"], customer_id=customer["id"], params={"expires_at": 1}
    )

    fetched = raw.get(f"/checkout/sessions/{session['id']}").json()

    assert too_soon.status_code == 400 and error_of(too_soon)["param"] == "expires_at"
    assert (fetched["status"], fetched["url"]) == ("expired", None)
    with pytest.raises(StripeError):
        world.complete_checkout_session(store, session["id"])


def test_portal_configuration_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    configuration = stripe_client.v1.billing_portal.configurations.create(
        {
            "business_profile": {"headline": "ACME billing"},
            "features": {"payment_method_update": {"enabled": True}},
            "default_return_url": "https://app.test",
        }
    )

    assert configuration.id.startswith("bpc_") and configuration.is_default is False
    assert configuration.default_return_url == "https://app.test"
    assert configuration.business_profile.headline == "ACME billing"
