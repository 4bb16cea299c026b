"""Stripe checkout and portal sessions for a customer (`/customers/{id}/billing/stripe/...`).

Checkout is not idempotent on the real server: when the customer has no linked Stripe customer
it creates one in Stripe and links it, as a side effect of asking for the session.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now, unix_now
from reconciler.sandbox.context import Sandbox, origin_of
from reconciler.sandbox.konnect_api import apps
from reconciler.sandbox.konnect_api.collection_names import APP_DATA, CHECKOUT_SESSIONS, CUSTOMERS
from reconciler.sandbox.konnect_api.customer_billing import require_profile
from reconciler.sandbox.konnect_api.customers import writable_customer
from reconciler.sandbox.konnect_api.endpoint import endpoint, json, parse_body
from reconciler.sandbox.konnect_api.errors import billing_problem, invalid
from reconciler.sandbox.konnect_api.schemas import CurrencyCode, Sealed
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import customer_tax, world
from reconciler.sandbox.stripe_api.errors import StripeError


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
    profile = require_profile(store, customer)
    app = apps.live_app(store, profile["apps"]["payment"]["id"])
    if app is None or app["type"] != "stripe":
        raise billing_problem(
            400, "app_not_stripe", "the customer's billing profile does not use a Stripe app"
        )
    account = apps.stripe_account_of(store, app)
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


def _checkout(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CheckoutRequest)
    params = _checkout_params(body.stripe_options)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        _, account_id = _stripe_app(store, customer)
        stripe_customer = _linked_stripe_customer(store, customer, account_id)
        try:
            session = world.create_checkout_session(
                store,
                account_id,
                customer_id=stripe_customer,
                params=params,
                page_origin=origin_of(request),
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


def _portal(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, PortalRequest)
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
            page_origin=origin_of(request),
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


def complete_checkout(
    store: Store, session_id: str, collected: world.CollectedCard | None = None
) -> Document:
    """What the `setup_intent.succeeded` webhook does once the customer finished checkout
    (on the hosted page, with the card they entered, or by the admin call, with a Visa and
    the billing details its body says were entered). Tax ids entered are kept on the Stripe
    customer when the session collects them.

    The Konnect customer is the one the session was created for, or else the one linked to
    the session's Stripe customer (a session made directly in Stripe).
    """
    with store.transaction():
        stripe_customer, method = world.complete_checkout_session(store, session_id, collected)
        if collected is not None:
            _keep_tax_ids(store, session_id, stripe_customer, collected.tax_ids)
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


def _keep_tax_ids(
    store: Store, session_id: str, stripe_customer: str, tax_ids: tuple[tuple[str, str], ...]
) -> None:
    session = store.get(world.CHECKOUT_SESSIONS, session_id) or {}
    if not session.get("tax_id_collection", {}).get("enabled"):
        return
    customer = store.get(world.CUSTOMERS, stripe_customer)
    if customer is None:
        return
    for kind, value in tax_ids:
        customer_tax.add_tax_id(store, customer, kind, value)


def _customer_of_session(store: Store, session_id: str, stripe_customer: str) -> Document | None:
    link = store.get(CHECKOUT_SESSIONS, session_id)
    if link is not None:
        return store.get(CUSTOMERS, link["customer_id"])
    linked = store.find(
        CUSTOMERS, {f"{APP_DATA}.stripe.customer_id": stripe_customer, "deleted_at": None}, limit=1
    )
    return linked[0] if linked else None


def routes() -> list[BaseRoute]:
    base = "/customers/{customer_id}/billing/stripe"
    return [
        Route(base + "/checkout-sessions", endpoint(_checkout), methods=["POST"]),
        Route(base + "/portal-sessions", endpoint(_portal), methods=["POST"]),
    ]
