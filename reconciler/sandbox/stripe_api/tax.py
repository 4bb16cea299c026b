"""`/v1/tax_codes` (a static catalogue) and the `/v1/tax/settings` singleton."""

from __future__ import annotations

from starlette.routing import Route

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.customers import ADDRESS_FIELDS
from reconciler.sandbox.stripe_api.endpoint import StripeCall, stripe_route
from reconciler.sandbox.stripe_api.errors import invalid_param, resource_missing
from reconciler.sandbox.stripe_api.listing import PAGING_PARAMS, list_static
from reconciler.sandbox.stripe_api.params import hash_param, one_of, string
from reconciler.sandbox.stripe_api.tax_codes import TAX_CODES, tax_code

TAX_BEHAVIORS = ("inclusive", "exclusive", "inferred_by_currency")


def routes() -> list[Route]:
    return [
        stripe_route("/tax_codes", "GET", list_tax_codes, PAGING_PARAMS),
        stripe_route("/tax_codes/{tax_code}", "GET", retrieve_tax_code),
        stripe_route("/tax/settings", "GET", retrieve_settings),
        stripe_route("/tax/settings", "POST", update_settings, ("defaults", "head_office")),
    ]


def list_tax_codes(call: StripeCall) -> Document:
    return list_static(call, TAX_CODES, url="/v1/tax_codes", kind="tax_code")


def retrieve_tax_code(call: StripeCall) -> Document:
    found = tax_code(call.path["tax_code"])
    if found is None:
        raise resource_missing("tax_code", call.path["tax_code"])
    return found


def retrieve_settings(call: StripeCall) -> Document:
    return world.get_tax_settings(call.store, call.account_id)


def update_settings(call: StripeCall) -> Document:
    """Set defaults and head office; fields cannot be unset once set, as on Stripe."""
    settings = call.store.get(world.TAX_SETTINGS, call.account_id)
    if settings is None:
        settings = {**world.get_tax_settings(call.store, call.account_id)}
        settings[world.OWNER] = call.account_id
    defaults = hash_param(call.params, "defaults", ("tax_behavior", "tax_code"))
    if defaults:
        behavior = one_of(defaults, "tax_behavior", TAX_BEHAVIORS)
        if behavior is not None:
            settings["defaults"]["tax_behavior"] = behavior
        code = string(defaults, "tax_code")
        if code is not None:
            if tax_code(code) is None:
                raise invalid_param("defaults[tax_code]", f"No such tax code: '{code}'")
            settings["defaults"]["tax_code"] = code
    head_office = hash_param(call.params, "head_office", ("address",))
    if head_office:
        address = hash_param(head_office, "address", ADDRESS_FIELDS)
        if not address or not address.get("country"):
            raise invalid_param("head_office[address][country]", "A head office needs a country.")
        settings["head_office"] = {
            "address": {field: address.get(field) or None for field in ADDRESS_FIELDS}
        }
    world.tax_settings_status(settings)
    call.store.put(world.TAX_SETTINGS, call.account_id, settings)
    return world.public(settings)
