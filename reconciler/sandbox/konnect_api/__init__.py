"""The emulated Konnect Metering & Billing v3 API (at /v3/openmeter) and its admin actions."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.konnect_api import (
    addons,
    admin,
    apps,
    customer_billing,
    customers,
    fallback,
    features,
    invoices,
    meters,
    plan_addons,
    plans,
    profiles,
    stripe_sessions,
    tax_codes,
)
from reconciler.sandbox.konnect_api.endpoint import endpoint


def routes() -> list[BaseRoute]:
    known = [
        *apps.routes(),
        *profiles.routes(),
        *customers.routes(),
        *customer_billing.routes(),
        *stripe_sessions.routes(),
        *tax_codes.routes(),
        *meters.routes(),
        *features.routes(),
        *plans.routes(),
        *plan_addons.routes(),
        *addons.routes(),
        Route(
            "/billing/invoices",
            endpoint(invoices.list_invoices, invoices.LIST_QUERY),
            methods=["GET"],
        ),
    ]
    return [*known, fallback.catch_all(known)]


def route_not_found() -> Response:
    """The answer to a path under the API's prefix that no route takes."""
    return fallback.route_not_found()


def admin_routes() -> list[BaseRoute]:
    return admin.routes()


__all__ = ["admin_routes", "route_not_found", "routes"]
