"""Stripe checkout and portal sessions, and completing checkout as the customer would."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.stripe_api import world
from tests.sandbox.konnect_api.conftest import (
    billing_path,
    create_customer,
    create_profile,
    install_sandbox_app,
)
from tests.sandbox.konnect_api.contract import ContractClient


def test_checkout_links_a_new_stripe_customer_and_completion_sets_the_method(
    konnect: ContractClient, stripe_profile: dict[str, Any], sandbox_app: Any
) -> None:
    customer = create_customer(konnect, "acme", primary_email="pay@acme.test")
    options = {"success_url": "https://example.test/ok", "currency": "USD", "metadata": {"a": "b"}}
    response = konnect.post(
        billing_path(customer) + "/stripe/checkout-sessions", json={"stripe_options": options}
    )
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["mode"] == "setup" and session["customer_id"] == customer["id"]
    linked = konnect.get(billing_path(customer)).json()["app_data"]["stripe"]
    assert linked == {"customer_id": session["stripe_customer_id"]}
    store = sandbox_app.state.sandbox.store
    account = stripe_profile_account(konnect, stripe_profile)
    stripe_customer = world.get_customer(store, account, session["stripe_customer_id"])
    assert stripe_customer is not None and stripe_customer["email"] == "pay@acme.test"

    completed = konnect.client.post(
        f"/_sandbox/konnect/checkout-sessions/{session['session_id']}/complete"
    )
    assert completed.status_code == 200, completed.text
    method_id = completed.json()["payment_method_id"]
    assert konnect.get(billing_path(customer)).json()["app_data"]["stripe"] == {
        "customer_id": session["stripe_customer_id"],
        "default_payment_method_id": method_id,
    }
    stripe_customer = world.get_customer(store, account, session["stripe_customer_id"])
    assert stripe_customer is not None
    assert stripe_customer["invoice_settings"]["default_payment_method"] == method_id
    method = world.payment_method(store, account, method_id)
    assert method["billing_details"]["address"]["country"]


def stripe_profile_account(konnect: ContractClient, profile: dict[str, Any]) -> str:
    app = konnect.get(f"/openmeter/apps/{profile['apps']['payment']['id']}").json()
    account: str = app["account_id"]
    return account


def test_second_checkout_reuses_the_linked_customer(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    path = billing_path(customer) + "/stripe/checkout-sessions"
    first = konnect.post(path, json={"stripe_options": {}}).json()
    second = konnect.post(path, json={"stripe_options": {}}).json()
    assert first["stripe_customer_id"] == second["stripe_customer_id"]
    assert first["session_id"] != second["session_id"]


def test_embedded_checkout_refuses_redirect_urls(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    options = {"ui_mode": "embedded", "success_url": "https://example.test"}
    response = konnect.post(
        billing_path(customer) + "/stripe/checkout-sessions", json={"stripe_options": options}
    )
    assert response.status_code == 400


def test_portal_needs_a_linked_customer(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    path = billing_path(customer) + "/stripe/portal-sessions"
    body = {"stripe_options": {"return_url": "https://example.test/back"}}
    assert (
        konnect.post(path, json=body).json()["extensions"]["code"] == "stripe_customer_not_linked"
    )
    konnect.post(billing_path(customer) + "/stripe/checkout-sessions", json={"stripe_options": {}})
    portal = konnect.post(path, json=body)
    assert portal.status_code == 201, portal.text
    assert portal.json()["return_url"] == "https://example.test/back"
    assert portal.json()["configuration_id"].startswith("bpc_")


def test_sessions_need_a_stripe_profile(konnect: ContractClient) -> None:
    app = install_sandbox_app(konnect)
    create_profile(konnect, app["id"])
    customer = create_customer(konnect, "acme")
    response = konnect.post(
        billing_path(customer) + "/stripe/checkout-sessions", json={"stripe_options": {}}
    )
    assert response.json()["extensions"]["code"] == "app_not_stripe"


def test_completing_a_session_made_in_stripe_updates_the_linked_customer(
    konnect: ContractClient, stripe_profile: dict[str, Any], sandbox_app: Any
) -> None:
    store = sandbox_app.state.sandbox.store
    account = stripe_profile_account(konnect, stripe_profile)
    stripe_customer = world.create_customer(store, account, name="Acme", email=None)
    customer = create_customer(konnect, "acme")
    linked = {"app_data": {"stripe": {"customer_id": stripe_customer["id"]}}}
    konnect.put(billing_path(customer), json=linked)
    session = world.create_checkout_session(
        store, account, customer_id=stripe_customer["id"], params={"success_url": "https://x.test"}
    )
    completed = konnect.client.post(f"/_sandbox/konnect/checkout-sessions/{session['id']}/complete")
    assert completed.json()["customer_id"] == customer["id"]
    stripe_data = konnect.get(billing_path(customer)).json()["app_data"]["stripe"]
    assert stripe_data["default_payment_method_id"] == completed.json()["payment_method_id"]


def test_completing_an_unknown_session_is_a_stripe_404(konnect: ContractClient) -> None:
    response = konnect.client.post("/_sandbox/konnect/checkout-sessions/cs_test_nope/complete")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"
