"""A customer's billing link (`/customers/{id}/billing...`) and its Stripe sessions.

Stored on the customer document: `_pinned_profile_id` (the customer override) and `_app_data`
(`stripe.customer_id`/`default_payment_method_id`, `external_invoicing.labels`). Stripe labels
are echoed by a PUT but never stored, and Stripe ids are not checked at write time, as on the
real server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now, unix_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api import apps, profiles
from reconciler.sandbox.konnect_api.collection_names import (
    APP_DATA,
    CHECKOUT_SESSIONS,
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
from reconciler.sandbox.konnect_api.schemas import CurrencyCode, Labels, Reference, Sealed
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError


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


def _require_profile(store: Store, customer: Document) -> Document:
    profile = effective_profile(store, customer)
    if profile is None:
        raise billing_problem(400, "default_profile_not_found", "no default billing profile")
    return profile


# --- billing and app data -------------------------------------------------------------------


async def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(_billing_view(sandbox.store, stored_customer(request, sandbox)))


async def _put(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, UpsertBilling)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        if body.billing_profile is not None:
            profile = profiles.live_profile(store, body.billing_profile.id)
            if profile is None:
                raise billing_problem(404, "billing_profile_not_found", "billing profile not found")
            customer[PINNED_PROFILE] = profile["id"]  # pinning; omitting it never unpins
        else:
            profile = _require_profile(store, customer)
        echoed = _store_app_data(customer, profiles.payment_app_type(store, profile), body.app_data)
        customer["updated_at"] = rfc3339_now()
        store.put(CUSTOMERS, customer["id"], customer)
    view: Document = {"billing_profile": {"id": profile["id"]}}
    if echoed:
        view["app_data"] = echoed
    return json(view)


async def _put_app_data(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, AppData)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        profile = _require_profile(store, customer)
        echoed = _store_app_data(customer, profiles.payment_app_type(store, profile), body)
        customer["updated_at"] = rfc3339_now()
        store.put(CUSTOMERS, customer["id"], customer)
    return json(echoed)


# --- Stripe sessions ------------------------------------------------------------------------


class CustomerUpdate(Sealed):
    address: Literal["auto", "never"] | None = None
    name: Literal["auto", "never"] | None = None
    shipping: Literal["auto", "never"] | None = None


class ReuseAgreement(Sealed):
    position: Literal["auto", "hidden"] | None = None


class ConsentCollection(Sealed):
    payment_method_reuse_agreement: ReuseAgreement | None = None
    promotions: Literal["auto", "none"] | None = None
    terms_of_service: Literal["none", "required"] | None = None


class CustomTextMessage(Sealed):
    message: Annotated[str, StringConstraints(max_length=1200)]


class CustomText(Sealed):
    after_submit: CustomTextMessage | None = None
    shipping_address: CustomTextMessage | None = None
    submit: CustomTextMessage | None = None
    terms_of_service_acceptance: CustomTextMessage | None = None


class TaxIdCollection(Sealed):
    enabled: bool = False
    required: Literal["if_supported", "never"] | None = None


class CheckoutOptions(Sealed):
    billing_address_collection: Literal["auto", "required"] | None = None
    cancel_url: str | None = None
    client_reference_id: str | None = None
    customer_update: CustomerUpdate | None = None
    consent_collection: ConsentCollection | None = None
    currency: CurrencyCode | None = None
    custom_text: CustomText | None = None
    expires_at: int | None = None
    locale: str | None = None
    metadata: dict[str, str] | None = None
    return_url: str | None = None
    success_url: str | None = None
    ui_mode: Literal["hosted", "embedded"] | None = None
    payment_method_types: list[str] | None = None
    redirect_on_completion: Literal["always", "if_required", "never"] | None = None
    tax_id_collection: TaxIdCollection | None = None


class CheckoutRequest(Sealed):
    stripe_options: CheckoutOptions


class PortalOptions(Sealed):
    configuration_id: str | None = None
    locale: str | None = None
    return_url: str | None = None


class PortalRequest(Sealed):
    stripe_options: PortalOptions


MIN_CHECKOUT_LIFETIME = 30 * 60
MAX_CHECKOUT_LIFETIME = 24 * 3600


def _stripe_app(store: Store, customer: Document) -> tuple[Document, str]:
    """The Stripe app of the customer's effective profile, and the account its key opens."""
    profile = _require_profile(store, customer)
    app = apps.live_app(store, profile["apps"]["payment"]["id"])
    if app is None or app["type"] != "stripe":
        raise billing_problem(
            400, "app_not_stripe", "the customer's billing profile does not use a Stripe app"
        )
    account = world.account_for_key(store, apps.stripe_key_of(app))
    if account is None:
        raise billing_problem(400, "app_unauthorized", "the Stripe app's API key is not valid")
    return app, str(account["id"])


def _linked_stripe_customer(store: Store, customer: Document, account_id: str) -> str:
    """The linked Stripe customer, created in Stripe and linked when there is none."""
    linked = (customer.get(APP_DATA) or {}).get("stripe", {}).get("customer_id")
    if linked:
        return str(linked)
    created = world.create_customer(
        store,
        account_id,
        name=customer["name"],
        email=customer.get("primary_email"),
        metadata={"om_customer_id": customer["id"], "om_customer_key": customer["key"]},
    )
    app_data = customer.get(APP_DATA) or {}
    app_data["stripe"] = {**app_data.get("stripe", {}), "customer_id": created["id"]}
    customer[APP_DATA] = app_data
    store.put(CUSTOMERS, customer["id"], customer)
    return str(created["id"])


def _checkout_params(options: CheckoutOptions) -> dict[str, Any]:
    params = options.present()
    embedded = options.ui_mode == "embedded"
    if embedded and (options.success_url or options.cancel_url):
        raise invalid(
            "stripe_options.success_url", "success_url and cancel_url are not allowed when embedded"
        )
    if options.expires_at is not None:
        lifetime = options.expires_at - unix_now()
        if not MIN_CHECKOUT_LIFETIME <= lifetime <= MAX_CHECKOUT_LIFETIME:
            raise invalid(
                "stripe_options.expires_at", "must be between 30 minutes and 24 hours from now"
            )
    return params


async def _checkout(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, CheckoutRequest)
    params = _checkout_params(body.stripe_options)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        _, account_id = _stripe_app(store, customer)
        stripe_customer = _linked_stripe_customer(store, customer, account_id)
        try:
            session = world.create_checkout_session(
                store, account_id, customer_id=stripe_customer, params=params
            )
        except StripeError as error:
            raise billing_problem(400, "stripe_error", str(error)) from None
        store.put(
            CHECKOUT_SESSIONS,
            session["id"],
            {"id": session["id"], "customer_id": customer["id"]},
        )
    return json(_checkout_result(customer["id"], session), 201)


def _checkout_result(customer_id: str, session: Document) -> Document:
    result: Document = {
        "customer_id": customer_id,
        "stripe_customer_id": session["customer"],
        "session_id": session["id"],
        "setup_intent_id": session["setup_intent"],
        "created_at": _rfc3339(session["created"]),
        "expires_at": _rfc3339(session["expires_at"]),
        "mode": session["mode"],
        "status": session["status"],
        "metadata": session.get("metadata") or {},
    }
    for field in (
        "client_secret",
        "client_reference_id",
        "customer_email",
        "currency",
        "url",
        "cancel_url",
        "success_url",
        "return_url",
    ):
        value = session.get(field)
        if value is not None:
            result[field] = value.upper() if field == "currency" else value
    return result


def _rfc3339(unix: int) -> str:
    return (
        datetime.fromtimestamp(unix, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


async def _portal(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, PortalRequest)
    options = body.stripe_options
    store = sandbox.store
    customer = writable_customer(request, sandbox)
    _, account_id = _stripe_app(store, customer)
    linked = (customer.get(APP_DATA) or {}).get("stripe", {}).get("customer_id")
    if not linked:
        raise billing_problem(
            400, "stripe_customer_not_linked", "the customer has no linked Stripe customer"
        )
    try:
        session = world.create_portal_session(
            store,
            account_id,
            linked,
            return_url=options.return_url,
            locale=options.locale,
            configuration=options.configuration_id,
        )
    except StripeError as error:
        raise billing_problem(400, "stripe_error", str(error)) from None
    return json(
        {
            "id": session["id"],
            "stripe_customer_id": linked,
            "configuration_id": session["configuration"],
            "livemode": session["livemode"],
            "created_at": _rfc3339(session["created"]),
            "return_url": session.get("return_url") or "",
            "locale": session.get("locale") or "auto",
            "url": session["url"],
        },
        201,
    )


def complete_checkout(store: Store, session_id: str) -> Document:
    """What the `setup_intent.succeeded` webhook does once the customer finished checkout.

    The Konnect customer is the one the session was created for, or else the one linked to
    the session's Stripe customer (a session made directly in Stripe).
    """
    with store.transaction():
        stripe_customer, method = world.complete_checkout_session(store, session_id)
        customer = _customer_of_session(store, session_id, stripe_customer)
        if customer is not None:
            app_data = customer.get(APP_DATA) or {}
            app_data["stripe"] = {
                "customer_id": stripe_customer,
                "default_payment_method_id": method,
            }
            customer[APP_DATA] = app_data
            customer["updated_at"] = rfc3339_now()
            store.put(CUSTOMERS, customer["id"], customer)
    return {
        "customer_id": None if customer is None else customer["id"],
        "stripe_customer_id": stripe_customer,
        "payment_method_id": method,
    }


def _customer_of_session(store: Store, session_id: str, stripe_customer: str) -> Document | None:
    link = store.get(CHECKOUT_SESSIONS, session_id)
    if link is not None:
        return store.get(CUSTOMERS, link["customer_id"])
    linked = store.find(
        CUSTOMERS, {f"{APP_DATA}.stripe.customer_id": stripe_customer, "deleted_at": None}, limit=1
    )
    return linked[0] if linked else None


def routes() -> list[BaseRoute]:
    base = "/customers/{customer_id}/billing"
    return [
        Route(base, endpoint(_get), methods=["GET"]),
        Route(base, endpoint(_put), methods=["PUT"]),
        Route(base + "/app-data", endpoint(_put_app_data), methods=["PUT"]),
        Route(base + "/stripe/checkout-sessions", endpoint(_checkout), methods=["POST"]),
        Route(base + "/stripe/portal-sessions", endpoint(_portal), methods=["POST"]),
    ]
