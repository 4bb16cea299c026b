"""A customer's billing link (`/customers/{id}/billing` and `/billing/app-data`).

Stored on the customer document: `_pinned_profile_id` (the customer override) and `_app_data`
(`stripe.customer_id`/`default_payment_method_id`, `external_invoicing.labels`). Stripe labels
are echoed by a PUT but never stored, and Stripe ids are not checked at write time, as on the
real server.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api import profiles
from reconciler.sandbox.konnect_api.collection_names import (
    APP_DATA,
    CUSTOMERS,
    PINNED_PROFILE,
)
from reconciler.sandbox.konnect_api.customers import (
    stored_customer,
    writable_customer,
)
from reconciler.sandbox.konnect_api.endpoint import endpoint, json, parse_body
from reconciler.sandbox.konnect_api.errors import billing_problem, invalid
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.schemas import Labels, Reference, Sealed
from reconciler.sandbox.store import Document, Store


class StripeData(Sealed):
    customer_id: str | None = None
    default_payment_method_id: str | None = None
    labels: Labels | None = None


class ExternalInvoicingData(Sealed):
    labels: Labels | None = None


class AppData(Sealed):
    stripe: StripeData | None = None
    external_invoicing: ExternalInvoicingData | None = None


class UpsertBilling(Sealed):
    billing_profile: Reference | None = None
    app_data: AppData | None = None


# --- effective profile and app data ---------------------------------------------------------


def effective_profile(store: Store, customer: Document) -> Document | None:
    """The pinned profile, else the organization default: the API does not say which."""
    pinned = customer.get(PINNED_PROFILE)
    if pinned:
        profile = profiles.live_profile(store, pinned)
        if profile is not None:
            return profile
    return profiles.default_profile(store)


def _billing_view(store: Store, customer: Document) -> Document:
    profile = effective_profile(store, customer)
    view: Document = {}
    if profile is None:
        return view
    view["billing_profile"] = {"id": profile["id"]}
    app_data = _app_data_view(customer, profiles.payment_app_type(store, profile))
    if app_data:
        view["app_data"] = app_data
    return view


def _app_data_view(customer: Document, app_type: str | None) -> Document:
    stored = customer.get(APP_DATA) or {}
    if app_type == "stripe" and stored.get("stripe"):
        return {"stripe": dict(stored["stripe"])}
    if app_type == "external_invoicing" and stored.get("external_invoicing"):
        return {"external_invoicing": dict(stored["external_invoicing"])}
    return {}


def _store_app_data(customer: Document, app_type: str | None, data: AppData | None) -> Document:
    """Validate `data` against the payment app type, store it, and return what the PUT echoes."""
    if app_type == "stripe":
        stripe = _checked_stripe(data)
        kept = {
            key: value
            for key, value in stripe.present().items()
            if key in ("customer_id", "default_payment_method_id")
        }
        customer[APP_DATA] = {**(customer.get(APP_DATA) or {}), "stripe": kept}
        echoed = dict(kept)
        if stripe.labels is not None:
            echoed["labels"] = check_labels(stripe.labels, "app_data.stripe.labels")
        return {"stripe": echoed}
    if app_type == "external_invoicing" and data is not None and data.external_invoicing:
        labels = check_labels(data.external_invoicing.labels, "app_data.external_invoicing.labels")
        external = {"labels": labels}
        customer[APP_DATA] = {**(customer.get(APP_DATA) or {}), "external_invoicing": external}
        return {"external_invoicing": external}
    return {}  # the sandbox app keeps no customer data


def _checked_stripe(data: AppData | None) -> StripeData:
    if data is None or data.stripe is None:
        raise invalid("app_data.stripe", "stripe app data is required", "required")
    if not data.stripe.customer_id:
        raise invalid("stripe.customer_id", "stripe customer id is required", "required")
    method = data.stripe.default_payment_method_id
    if method is not None and not method.startswith("pm_"):
        raise invalid("stripe.default_payment_method_id", "payment method id must start with pm_")
    return data.stripe


def require_profile(store: Store, customer: Document) -> Document:
    """The effective profile; writes that depend on it fail without one."""
    profile = effective_profile(store, customer)
    if profile is None:
        raise billing_problem(400, "default_profile_not_found", "no default billing profile")
    return profile


# --- billing and app data -------------------------------------------------------------------


def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(_billing_view(sandbox.store, stored_customer(request, sandbox)))


def _put(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpsertBilling)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        if body.billing_profile is not None:
            profile = profiles.live_profile(store, body.billing_profile.id)
            if profile is None:
                raise billing_problem(404, "billing_profile_not_found", "billing profile not found")
            customer[PINNED_PROFILE] = profile["id"]  # pinning; omitting it never unpins
        else:
            profile = require_profile(store, customer)
        echoed = _store_app_data(customer, profiles.payment_app_type(store, profile), body.app_data)
        customer["updated_at"] = rfc3339_now()
        store.put(CUSTOMERS, customer["id"], customer)
    view: Document = {"billing_profile": {"id": profile["id"]}}
    if echoed:
        view["app_data"] = echoed
    return json(view)


def _put_app_data(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, AppData)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        profile = require_profile(store, customer)
        echoed = _store_app_data(customer, profiles.payment_app_type(store, profile), body)
        customer["updated_at"] = rfc3339_now()
        store.put(CUSTOMERS, customer["id"], customer)
    return json(echoed)


def routes() -> list[BaseRoute]:
    base = "/customers/{customer_id}/billing"
    return [
        Route(base, endpoint(_get), methods=["GET"]),
        Route(base, endpoint(_put), methods=["PUT"]),
        Route(base + "/app-data", endpoint(_put_app_data), methods=["PUT"]),
    ]
