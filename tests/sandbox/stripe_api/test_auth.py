"""Keys: Bearer or Basic; unknown, malformed and revoked keys are 401s that echo no secret.

Only the built-in test key and registered keys open an account, as only issued keys do on
Stripe: a well-formed key nobody registered is a 401 like any other.
"""

from __future__ import annotations

import base64

import pytest
import stripe
from starlette.testclient import TestClient

from tests.conftest import SANDBOX_STRIPE_KEY
from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_bearer_and_basic_open_the_same_account(asgi: TestClient) -> None:
    basic = base64.b64encode(f"{SANDBOX_STRIPE_KEY}:".encode()).decode()

    by_bearer = asgi.get("/v1/account", headers={"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"})
    by_basic = asgi.get("/v1/account", headers={"Authorization": f"Basic {basic}"})

    assert by_bearer.status_code == by_basic.status_code == 200
    assert by_bearer.json()["id"] == by_basic.json()["id"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer sk_test_short",
        "Bearer pk_test_" + "a" * 24,
        "Token sk_test_x",
        "Bearer sk_test_" + "wellformed" * 3,
        "Bearer rk_live_" + "wellformed" * 3,
    ],
)
def test_missing_or_bad_keys_are_401(asgi: TestClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}

    response = asgi.get("/v1/customers", headers=headers)

    assert response.status_code == 401
    assert error_of(response)["type"] == "invalid_request_error"
    assert asgi.get("/_sandbox/stripe/accounts").json()["data"] == []
    credential = (header or "").partition(" ")[2]
    assert not credential or credential not in response.text


def test_an_unknown_key_is_refused_in_stripes_words(raw: StripeHTTP) -> None:
    response = raw.as_key("sk_test_" + "wellformed" * 3).get("/account")

    assert response.status_code == 401
    assert error_of(response) == {
        "type": "invalid_request_error",
        "code": "api_key_invalid",
        "doc_url": "https://stripe.com/docs/error-codes/api-key-invalid",
        "message": "Invalid API Key provided.",
    }


def test_restricted_and_live_keys_work_once_registered(raw: StripeHTTP) -> None:
    key = "rk_live_" + "restricted12"
    raw.client.post("/_sandbox/stripe/keys", json={"key": key, "account": "acct_1LiveTenant"})

    live = raw.as_key(key).get("/account")

    assert live.status_code == 200 and live.json()["id"] == "acct_1LiveTenant"
    assert raw.as_key(key).post("/customers").json()["livemode"] is True


def test_the_sdk_sees_an_authentication_error(sandbox_server_url: str) -> None:
    client = stripe.StripeClient(
        "sk_test_" + "x" * 5, base_addresses={"api": sandbox_server_url}, max_network_retries=0
    )

    with pytest.raises(stripe.AuthenticationError) as raised:
        client.v1.accounts.retrieve_current()

    assert raised.value.http_status == 401


def test_account_fields_reconcile_reads(stripe_client: stripe.StripeClient) -> None:
    account = stripe_client.v1.accounts.retrieve_current()

    assert account.object == "account" and account.id.startswith("acct_")
    assert account.country == "US" and account.default_currency == "usd"
    assert account.settings.dashboard.display_name and account.business_profile.name
    assert account.email and "livemode" not in account


def test_unknown_paths_answer_in_stripes_shape(raw: StripeHTTP) -> None:
    response = raw.get("/invoices_of_the_future")
    wrong_method = raw.client.put("/v1/customers", headers=raw.headers)

    assert response.status_code == 404
    assert "Unrecognized request URL" in error_of(response)["message"]
    assert wrong_method.status_code == 404


def test_json_bodies_are_refused(raw: StripeHTTP) -> None:
    response = raw.client.post("/v1/customers", json={"name": "x"}, headers=raw.headers)

    assert response.status_code == 400 and "Content-Type" in error_of(response)["message"]
