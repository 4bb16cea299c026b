"""The Konnect side over a real socket, as reconcile's HTTP client meets it."""

from __future__ import annotations

import httpx

from tests.conftest import SANDBOX_STRIPE_KEY


def test_install_profile_and_customer_over_http(konnect_http: httpx.Client) -> None:
    install = konnect_http.post(
        "/app-catalog/install",
        json={
            "type": "stripe",
            "name": "S",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": True,
        },
    )
    assert install.status_code == 200
    customer = konnect_http.post("/customers", json={"name": "Acme", "key": "acme"}).json()
    billing = konnect_http.get(f"/customers/{customer['id']}/billing")
    assert billing.status_code == 200
    profiles = konnect_http.get("/profiles").json()
    assert profiles["meta"]["page"]["total"] == 1
