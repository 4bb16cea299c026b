"""Out-of-band changes a person would make in the Stripe Dashboard, seen through the API."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import SANDBOX_STRIPE_KEY
from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of

ADMIN = "/_sandbox/stripe"
OTHER_KEY = "sk_test_" + "tenant" * 3


@pytest.fixture
def api(stripe_and_admin: tuple[StripeHTTP, TestClient]) -> StripeHTTP:
    return stripe_and_admin[0]


@pytest.fixture
def admin(stripe_and_admin: tuple[StripeHTTP, TestClient]) -> TestClient:
    return stripe_and_admin[1]


def account_id(admin: TestClient, key: str = SANDBOX_STRIPE_KEY) -> str:
    return str(admin.post(f"{ADMIN}/accounts/for-key", json={"key": key}).json()["id"])


def test_a_key_registered_to_a_new_account_sees_only_that_account(
    api: StripeHTTP, admin: TestClient
) -> None:
    created = admin.post(f"{ADMIN}/accounts", json={"name": "Tenant", "country": "DE"}).json()
    registered = admin.post(f"{ADMIN}/keys", json={"key": OTHER_KEY, "account": created["id"]})
    shared = api.post("/customers", {"name": "default account"}).json()

    tenant = api.as_key(OTHER_KEY)

    assert registered.json() == {
        "account": created["id"],
        "masked_key": "sk_test_****nant",
        "revoked": False,
    }
    assert tenant.get("/account").json()["country"] == "DE"
    assert tenant.get(f"/customers/{shared['id']}").status_code == 404
    assert OTHER_KEY not in registered.text
    listed = admin.get(f"{ADMIN}/accounts").json()["data"]
    assert created["id"] in {account["id"] for account in listed}


def test_a_key_registered_without_an_account_opens_its_modes_default_account(
    api: StripeHTTP, admin: TestClient
) -> None:
    live_key = "rk_live_" + "registered12"
    refused = api.as_key(live_key).get("/account")

    registered = admin.post(f"{ADMIN}/keys", json={"key": live_key}).json()

    assert refused.status_code == 401 and error_of(refused)["code"] == "api_key_invalid"
    assert registered["account"] == "acct_1SandboxLive0000"
    account = api.as_key(live_key).get("/account")
    assert account.status_code == 200 and account.json()["id"] == "acct_1SandboxLive0000"
    assert api.as_key(live_key).post("/customers").json()["livemode"] is True


def test_a_revoked_key_is_refused(api: StripeHTTP, admin: TestClient) -> None:
    assert api.get("/account").status_code == 200

    revoked = admin.post(f"{ADMIN}/keys/revoke", json={"key": SANDBOX_STRIPE_KEY})

    assert revoked.json()["revoked"] is True and SANDBOX_STRIPE_KEY not in revoked.text
    response = api.get("/account")
    assert response.status_code == 401 and error_of(response)["code"] == "api_key_invalid"


def test_deactivated_tax_is_pending_until_activated(api: StripeHTTP, admin: TestClient) -> None:
    account = account_id(admin)

    admin.post(f"{ADMIN}/accounts/{account}/tax/deactivate")
    pending = api.get("/tax/settings").json()
    admin.post(f"{ADMIN}/accounts/{account}/tax/activate")
    active = api.get("/tax/settings").json()

    assert pending["status"] == "pending" and pending["head_office"] is None
    assert pending["status_details"] == {"pending": {"missing_fields": ["head_office"]}}
    assert active["status"] == "active"


def test_webhook_endpoints_can_be_disabled_and_deleted(api: StripeHTTP, admin: TestClient) -> None:
    endpoint = api.post(
        "/webhook_endpoints", {"url": "https://h.test", "enabled_events[]": "*"}
    ).json()

    admin.post(f"{ADMIN}/webhook-endpoints/{endpoint['id']}/disable")
    disabled = api.get(f"/webhook_endpoints/{endpoint['id']}").json()
    admin.delete(f"{ADMIN}/webhook-endpoints/{endpoint['id']}")

    assert disabled["status"] == "disabled"
    assert api.get(f"/webhook_endpoints/{endpoint['id']}").status_code == 404


def test_customers_can_be_deleted_and_methods_detached(api: StripeHTTP, admin: TestClient) -> None:
    customer = api.post("/customers", {"payment_method": "pm_card_visa"}).json()
    method = api.get(f"/customers/{customer['id']}/payment_methods").json()["data"][0]
    api.post(
        f"/customers/{customer['id']}",
        {"invoice_settings[default_payment_method]": method["id"]},
    )

    admin.post(f"{ADMIN}/payment-methods/{method['id']}/detach")
    detached = api.get(f"/customers/{customer['id']}").json()
    admin.delete(f"{ADMIN}/customers/{customer['id']}")

    assert detached["invoice_settings"]["default_payment_method"] is None
    assert api.get(f"/customers/{customer['id']}").json()["deleted"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/keys", {"key": "sk_test_" + "k" * 12, "account": "tenant"}),
        ("POST", "/keys/revoke", {"key": OTHER_KEY}),
        ("POST", "/keys", {"key": "nonsense", "account": "acct_1Tenant"}),
        ("POST", "/keys/revoke", {}),
        ("DELETE", "/customers/cus_unknown", None),
        ("POST", "/accounts/acct_unknown/tax/deactivate", None),
    ],
)
def test_admin_mistakes_are_errors(
    admin: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = admin.request(method, ADMIN + path, json=body)

    assert response.status_code in (400, 404) and "error" in response.json()
