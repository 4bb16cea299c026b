"""The emulated Konnect Metering & Billing v3 API (at /v3/openmeter) and its admin actions."""

from __future__ import annotations

from starlette.routing import BaseRoute

from reconciler.sandbox.konnect_api import (
    admin,
    apps,
    customer_billing,
    customers,
    fallback,
    profiles,
    stripe_sessions,
    tax_codes,
)


def routes() -> list[BaseRoute]:
    known = [
        *apps.routes(),
        *profiles.routes(),
        *customers.routes(),
        *customer_billing.routes(),
        *stripe_sessions.routes(),
        *tax_codes.routes(),
    ]
    return [*known, fallback.catch_all(known)]


def admin_routes() -> list[BaseRoute]:
    return admin.routes()


__all__ = ["admin_routes", "routes"]
