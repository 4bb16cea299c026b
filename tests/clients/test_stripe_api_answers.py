"""A Stripe answer that is not what Stripe documents is one line naming the request, over
real HTTP: the sandbox's route answers play the proxy or gateway that sent it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.clients.errors import ApiError, NotFound, ServerError, UnexpectedAnswer
from reconciler.clients.stripe_api import StripeApi
from reconciler.sandbox import SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY

HTML = {"body": "<html>\n<h1>Sign in</h1>\n</html>", "content_type": "text/html"}
CUSTOMER = "GET /v1/customers/{customer}"


@pytest.fixture
def stripe_api(sandbox_server: SandboxServer) -> Iterator[StripeApi]:
    with StripeApi(SANDBOX_STRIPE_KEY, base_url=sandbox_server.url, max_network_retries=1) as api:
        yield api


def answer(admin: httpx.Client, route: str, **canned: Any) -> None:
    admin.put("/faults", json={"route_answers": {route: canned}}).raise_for_status()


@pytest.mark.parametrize(
    ("canned", "said"),
    [
        (HTML | {"status": 200}, "200 with a body of type text/html; expected a JSON object"),
        ({"status": 200, "body": "[]"}, "200 with a JSON array; expected a JSON object"),
        ({"status": 200, "body": "null"}, "200 with JSON null; expected a JSON object"),
        ({"status": 200, "body": '{"id": "acct_'}, "200 with a body that is not valid JSON; "),
        ({"status": 200, "body": '{"object": "account"}'}, "expected a JSON object with an `id`"),
        (
            {"status": 301, "location": "https://elsewhere.example/v1/account"},
            "301 redirect to elsewhere.example (redirects are not followed)",
        ),
    ],
)
def test_a_success_that_is_no_stripe_object_is_one_line_naming_the_request(
    stripe_api: StripeApi, admin: httpx.Client, canned: dict[str, Any], said: str
) -> None:
    answer(admin, "GET /v1/account", **canned)
    with pytest.raises(UnexpectedAnswer) as raised:
        stripe_api.account()
    assert str(raised.value).startswith("GET /v1/account: ")
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)
    assert stripe_api.counter.requests() == {"GET /v1/account": 1}


def test_a_list_of_another_shape_is_an_error_not_an_empty_list(
    stripe_api: StripeApi, admin: httpx.Client
) -> None:
    answer(admin, "GET /v1/tax_codes", status=200, body='{"object": "list", "data": {}}')
    with pytest.raises(UnexpectedAnswer) as raised:
        stripe_api.tax_codes()
    assert str(raised.value) == (
        "GET /v1/tax_codes: 200 with a JSON object of another shape; "
        "expected a list object with `data` (objects with an `id`) and `has_more`"
    )


def test_an_error_page_is_not_stripe_saying_a_customer_is_missing(
    stripe_api: StripeApi, admin: httpx.Client
) -> None:
    answer(admin, CUSTOMER, status=404, **HTML)
    with pytest.raises(ApiError) as raised:
        stripe_api.customer("cus_Acme0")
    assert not isinstance(raised.value, NotFound)
    assert str(raised.value) == (
        "GET /v1/customers/{id}: 404 Not Found: answered with a body of type text/html, "
        "not a Stripe error"
    )


def test_a_gateway_error_page_is_still_retried_and_ends_in_one_line(
    stripe_api: StripeApi, admin: httpx.Client
) -> None:
    answer(admin, CUSTOMER, status=502, **HTML)
    with pytest.raises(ServerError) as raised:
        stripe_api.customer("cus_Acme0")
    assert str(raised.value) == (
        "Stripe API: 502 api_error: GET /v1/customers/{id} answered with a body of type "
        "text/html, not a Stripe error"
    )
    assert stripe_api.counter.retries() == {"GET /v1/customers/{id}": 1}


def test_a_response_read_is_freed_without_a_garbage_collection(stripe_api: StripeApi) -> None:
    stripe_api.account()  # the connection and the SDK's own set-up
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept, to be seen
    try:
        assert stripe_api.account()["id"]
        gc.collect()
        left = [found for found in gc.garbage if isinstance(found, httpx.Response)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
