"""The emulated Stripe API (mounted at /v1) and its out-of-band admin actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from reconciler.sandbox.stripe_api import (
    account,
    admin,
    checkout,
    customers,
    payment_methods,
    tax,
    webhooks,
)


def routes() -> list[BaseRoute]:
    return [
        *account.routes(),
        *customers.routes(),
        *payment_methods.routes(),
        *tax.routes(),
        *checkout.routes(),
        *webhooks.routes(),
        account.catch_all(),
    ]


def admin_routes() -> list[BaseRoute]:
    return admin.routes()


async def route_not_found(request: Request) -> Response:
    """The answer to a path under the API's prefix that no route takes."""
    return await account.unrecognized(request)


__all__ = ["admin_routes", "route_not_found", "routes"]
