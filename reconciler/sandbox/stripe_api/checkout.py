"""`/v1/checkout/sessions` (setup mode) and `/v1/billing_portal/{sessions,configurations}`."""

from __future__ import annotations

from starlette.routing import Route

from reconciler.sandbox.clock import unix_now
from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.endpoint import StripeCall, stripe_route
from reconciler.sandbox.stripe_api.errors import invalid_param, missing_param
from reconciler.sandbox.stripe_api.params import (
    hash_param,
    integer,
    merged_metadata,
    one_of,
    string,
    string_list,
)

EXPIRY_WINDOW_SECONDS = (30 * 60, 24 * 3600)
"""How soon and how late after creation a session may be set to expire."""
_CHECKOUT_PARAMS = (
    "mode",
    "customer",
    "success_url",
    "cancel_url",
    "return_url",
    "currency",
    "payment_method_types",
    "setup_intent_data",
    "metadata",
    "client_reference_id",
    "locale",
    "ui_mode",
    "expires_at",
    "billing_address_collection",
    "customer_update",
    "tax_id_collection",
    "redirect_on_completion",
)


def routes() -> list[Route]:
    return [
        stripe_route("/checkout/sessions", "POST", create_checkout_session, _CHECKOUT_PARAMS),
        stripe_route("/checkout/sessions/{session}", "GET", retrieve_checkout_session),
        stripe_route(
            "/billing_portal/sessions",
            "POST",
            create_portal_session,
            ("customer", "return_url", "configuration", "locale", "flow_data", "on_behalf_of"),
        ),
        stripe_route(
            "/billing_portal/configurations",
            "POST",
            create_portal_configuration,
            ("business_profile", "features", "default_return_url", "login_page", "metadata"),
        ),
    ]


def create_checkout_session(call: StripeCall) -> Document:
    mode = string(call.params, "mode", required=True)
    if mode != "setup":
        raise invalid_param("mode", f"The sandbox supports mode=setup only, not '{mode}'.")
    customer_id = string(call.params, "customer", required=True)
    assert customer_id is not None
    ui_mode = one_of(call.params, "ui_mode", ("hosted", "embedded")) or "hosted"
    methods = string_list(call.params, "payment_method_types")
    if not methods and not string(call.params, "currency"):
        # Dynamic payment methods in setup mode need a currency to choose them by.
        raise invalid_param(
            "currency",
            "currency is required in setup mode when payment_method_types is not passed.",
        )
    if ui_mode == "hosted" and "return_url" in call.params:
        raise invalid_param("return_url", "return_url can only be passed with ui_mode=embedded.")
    if ui_mode == "embedded" and "success_url" in call.params:
        raise invalid_param("success_url", "success_url cannot be passed with ui_mode=embedded.")
    params = {
        key: value
        for key, value in call.params.items()
        if key
        in (
            "success_url",
            "cancel_url",
            "return_url",
            "locale",
            "client_reference_id",
            "billing_address_collection",
        )
    }
    params.update(
        ui_mode=ui_mode,
        currency=(string(call.params, "currency") or "").lower() or None,
        payment_method_types=methods,
        metadata=merged_metadata({}, call.params),
    )
    if "expires_at" in call.params:
        now = unix_now()
        params["expires_at"] = integer(
            call.params,
            "expires_at",
            default=0,
            minimum=now + EXPIRY_WINDOW_SECONDS[0],
            maximum=now + EXPIRY_WINDOW_SECONDS[1],
        )
    session = world.create_checkout_session(
        call.store, call.account_id, customer_id=customer_id, params=params, page_origin=call.origin
    )
    return call.expanded(session)


def retrieve_checkout_session(call: StripeCall) -> Document:
    return call.expanded(
        world.get_checkout_session(call.store, call.account_id, call.path["session"])
    )


def create_portal_session(call: StripeCall) -> Document:
    customer_id = string(call.params, "customer")
    if not customer_id:
        raise missing_param("customer")
    session = world.create_portal_session(
        call.store,
        call.account_id,
        customer_id,
        return_url=string(call.params, "return_url"),
        locale=string(call.params, "locale"),
        configuration=string(call.params, "configuration") or None,
        page_origin=call.origin,
    )
    return call.expanded(session)


def create_portal_configuration(call: StripeCall) -> Document:
    """Saving portal settings; the first saved in a mode becomes that mode's default."""
    profile = hash_param(
        call.params, "business_profile", ("headline", "privacy_policy_url", "terms_of_service_url")
    )
    has_default = call.store.count(
        world.PORTAL_CONFIGURATIONS, {world.OWNER: call.account_id, "is_default": True}
    )
    return world.create_portal_configuration(
        call.store,
        call.account_id,
        is_default=not has_default,
        default_return_url=string(call.params, "default_return_url"),
        metadata=merged_metadata({}, call.params),
        business_profile=profile,
    )
