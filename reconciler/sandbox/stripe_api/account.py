"""`GET /v1/account` and the answer to any `/v1` path the sandbox does not know."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api.endpoint import StripeCall, render, stripe_route
from reconciler.sandbox.stripe_api.errors import StripeError

_METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH"]


def routes() -> list[Route]:
    return [stripe_route("/account", "GET", retrieve_account)]


def retrieve_account(call: StripeCall) -> Document:
    return {key: value for key, value in call.account.items() if key != "livemode"}


async def unrecognized(request: Request) -> Response:
    error = StripeError(
        404,
        f"Unrecognized request URL ({request.method}: {request.url.path}). "
        "Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
    )
    return render(error.status, error.body())


def catch_all() -> Route:
    return Route("/{path:path}", unrecognized, methods=_METHODS, name="stripe unrecognized")
