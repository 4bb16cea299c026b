"""Dashboard-style changes through the full sandbox's /_sandbox/stripe, seen by the SDK."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import stripe

from reconciler.sandbox import SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY


@pytest.fixture
def admin_http(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url + "/_sandbox/stripe") as client:
        yield client


def test_drift_is_visible_to_the_sdk(
    stripe_client: stripe.StripeClient, admin_http: httpx.Client, sandbox_server: SandboxServer
) -> None:
    customer = stripe_client.v1.customers.create({"payment_method": "pm_card_visa"})
    method = stripe_client.v1.customers.payment_methods.list(customer.id).data[0]
    endpoint = stripe_client.v1.webhook_endpoints.create(
        {"url": "https://konnect.test/hook", "enabled_events": ["*"]}
    )
    account = admin_http.post("/accounts/for-key", json={"key": SANDBOX_STRIPE_KEY}).json()

    admin_http.post(f"/payment-methods/{method.id}/detach").raise_for_status()
    admin_http.post(f"/webhook-endpoints/{endpoint.id}/disable").raise_for_status()
    admin_http.post(f"/accounts/{account['id']}/tax/deactivate").raise_for_status()

    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []
    assert stripe_client.v1.webhook_endpoints.retrieve(endpoint.id).status == "disabled"
    assert stripe_client.v1.tax.settings.retrieve().status == "pending"

    admin_http.delete(f"/customers/{customer.id}").raise_for_status()
    admin_http.post("/keys/revoke", json={"key": SANDBOX_STRIPE_KEY}).raise_for_status()

    with pytest.raises(stripe.AuthenticationError):
        stripe_client.v1.customers.retrieve(customer.id)
    other_key = "sk_test_" + "afterrevoke" * 2
    admin_http.post("/keys", json={"key": other_key, "account": account["id"]}).raise_for_status()
    fresh = stripe.StripeClient(
        other_key, base_addresses={"api": sandbox_server.url}, max_network_retries=0
    )
    assert fresh.v1.customers.retrieve(customer.id).deleted is True
