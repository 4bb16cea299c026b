from __future__ import annotations

import pytest

from reconciler.clients.stripe_api import stripe_route


@pytest.mark.parametrize(
    ("url", "route"),
    [
        (
            "http://h/v1/customers/cus_Q1w2E3r4/payment_methods",
            "/v1/customers/{id}/payment_methods",
        ),
        ("http://h/v1/tax_codes/txcd_10103001", "/v1/tax_codes/{id}"),
        ("http://h/v1/tax/settings", "/v1/tax/settings"),
        ("http://h/v1/checkout/sessions/cs_test_a1B2", "/v1/checkout/sessions/{id}"),
        ("http://h/v1/webhook_endpoints?limit=100", "/v1/webhook_endpoints"),
    ],
)
def test_routes_name_objects_by_placeholder(url: str, route: str) -> None:
    assert stripe_route(url) == route


def test_stripe_errors_keep_the_message_but_mask_any_key_in_it() -> None:
    import stripe

    from reconciler.clients.errors import Unauthorized
    from reconciler.clients.stripe_api import stripe_error

    key = "sk_live_" + "Ab1" * 8
    body = {"error": {"type": "invalid_request_error", "message": f"Invalid API Key: {key}"}}
    error = stripe_error(
        stripe.AuthenticationError(
            body["error"]["message"], http_status=401, json_body=body, code="api_key_expired"
        )
    )
    assert isinstance(error, Unauthorized)
    assert key not in str(error) and "Ab1Ab1" not in str(error)
    assert "Invalid API Key: [redacted key]" in str(error)
    assert error.code == "api_key_expired"
