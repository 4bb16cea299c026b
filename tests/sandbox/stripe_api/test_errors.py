"""The error body reconcile's Stripe access parses, for every status the sandbox can give."""

from __future__ import annotations

import pytest
import stripe
from starlette.responses import Response
from starlette.routing import Route

from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.sandbox.stripe_api.errors import StripeError, rate_limited, server_error


def test_bodies_carry_type_code_param_and_message() -> None:
    body = StripeError(404, "No such customer: 'cus_1'", code="resource_missing", param="id")

    assert body.body() == {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": "id",
            "message": "No such customer: 'cus_1'",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        }
    }


@pytest.mark.parametrize(
    ("error", "sdk_error"),
    [(rate_limited(), stripe.RateLimitError), (server_error(503), stripe.APIError)],
)
def test_the_sdk_maps_injected_faults_to_its_errors(
    sandbox_config: SandboxConfig, error: StripeError, sdk_error: type[stripe.StripeError]
) -> None:
    async def failing(_: object) -> Response:
        return error.response()

    server = SandboxServer(sandbox_config)
    # The fault answers before the real route, as a fault-injecting layer would.
    server.app.router.routes.insert(0, Route("/v1/account", failing))
    with server:
        client = stripe.StripeClient(
            "sk_test_" + "f" * 20, base_addresses={"api": server.url}, max_network_retries=0
        )
        with pytest.raises(sdk_error) as raised:
            client.v1.accounts.retrieve_current()

    assert raised.value.http_status == error.status
