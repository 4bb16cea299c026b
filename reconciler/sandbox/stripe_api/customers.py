"""`/v1/customers`: create, retrieve (deleted stubs too), update (metadata merges), list, delete."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import customer_tax, world
from reconciler.sandbox.stripe_api.endpoint import StripeCall, stripe_route
from reconciler.sandbox.stripe_api.errors import invalid_param, resource_missing
from reconciler.sandbox.stripe_api.listing import PAGING_PARAMS, created_filter, list_objects
from reconciler.sandbox.stripe_api.params import (
    hash_param,
    merged_metadata,
    one_of,
    string,
    string_list,
)
from reconciler.sandbox.stripe_api.search import SEARCH_PARAMS, search_customers

ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")
SHIPPING_FIELDS = ("address", "name", "phone")
INVOICE_SETTINGS_FIELDS = ("custom_fields", "default_payment_method", "footer", "rendering_options")
TAX_EXEMPT = ("none", "exempt", "reverse")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_FIELDS = ("description", "email", "name", "phone")
_UPDATE_PARAMS = (
    *_TEXT_FIELDS,
    "address",
    "invoice_settings",
    "metadata",
    "preferred_locales",
    "shipping",
    "tax_exempt",
)
_CREATE_PARAMS = (*_UPDATE_PARAMS, "payment_method")


def routes() -> list[Route]:
    return [
        stripe_route("/customers", "POST", create, _CREATE_PARAMS),
        stripe_route("/customers", "GET", list_customers, (*PAGING_PARAMS, "email", "created")),
        stripe_route("/customers/search", "GET", search_customers, SEARCH_PARAMS),
        stripe_route("/customers/{customer}", "GET", retrieve),
        stripe_route("/customers/{customer}", "POST", update, _UPDATE_PARAMS),
        stripe_route("/customers/{customer}", "DELETE", delete),
        stripe_route(
            "/customers/{customer}/payment_methods",
            "GET",
            list_payment_methods,
            (*PAGING_PARAMS, "type", "allow_redisplay"),
        ),
        stripe_route("/customers/{customer}/payment_methods/{payment_method}", "GET", retrieve_pm),
        stripe_route("/customers/{customer}/tax_ids", "POST", create_tax_id, ("type", "value")),
        stripe_route("/customers/{customer}/tax_ids", "GET", list_tax_ids, PAGING_PARAMS),
    ]


def create(call: StripeCall) -> Document:
    customer = world.create_customer(
        call.store,
        call.account_id,
        name=string(call.params, "name") or None,
        email=_email(call.params),
        metadata=merged_metadata({}, call.params),
        fields=_plain_fields(call.params),
    )
    attached = string(call.params, "payment_method")
    if attached:
        method = world.attach_payment_method(call.store, call.account_id, attached, customer["id"])
        attached_as = {attached: method["id"]}  # a test id like pm_card_visa becomes a new pm_
    else:
        attached_as = {}
    _apply_invoice_settings(call, customer["id"], attached_as)
    return _rendered(call, customer["id"])


def retrieve(call: StripeCall) -> Document:
    customer = world.get_customer(call.store, call.account_id, call.path["customer"])
    if customer is None:
        raise resource_missing("customer", call.path["customer"])
    return customer if customer.get("deleted") else call.expanded(customer)


def update(call: StripeCall) -> Document:
    customer = world.live_customer(call.store, call.account_id, call.path["customer"])
    customer.update(_plain_fields(call.params))
    if "name" in call.params:
        customer["name"] = string(call.params, "name") or None
    if "email" in call.params:
        customer["email"] = _email(call.params)
    customer["metadata"] = merged_metadata(customer["metadata"], call.params)
    call.store.put(world.CUSTOMERS, customer["id"], customer)
    _apply_invoice_settings(call, customer["id"], {})
    return _rendered(call, customer["id"])


def create_tax_id(call: StripeCall) -> Document:
    customer = world.live_customer(call.store, call.account_id, call.path["customer"], "customer")
    kind = string(call.params, "type", required=True) or ""
    return customer_tax.add_tax_id(
        call.store, customer, kind, string(call.params, "value", required=True) or ""
    )


def list_tax_ids(call: StripeCall) -> Document:
    world.live_customer(call.store, call.account_id, call.path["customer"], "customer")
    return customer_tax.tax_ids_of(call.store, call.account_id, call.path["customer"])


def delete(call: StripeCall) -> Document:
    return world.delete_customer(call.store, call.account_id, call.path["customer"])


def list_customers(call: StripeCall) -> Document:
    where: dict[str, Any] = {"deleted": None}
    email = string(call.params, "email")
    if email is not None:
        where["email"] = email
    return list_objects(
        call,
        world.CUSTOMERS,
        where,
        url="/v1/customers",
        kind="customer",
        keep=created_filter(call.params),
    )


def list_payment_methods(call: StripeCall) -> Document:
    customer_id = call.path["customer"]
    world.live_customer(call.store, call.account_id, customer_id, "customer")
    where: dict[str, Any] = {"customer": customer_id}
    method_type = string(call.params, "type")
    if method_type:
        where["type"] = method_type
    url = f"/v1/customers/{customer_id}/payment_methods"
    return list_objects(call, world.PAYMENT_METHODS, where, url=url, kind="PaymentMethod")


def retrieve_pm(call: StripeCall) -> Document:
    customer_id, method_id = call.path["customer"], call.path["payment_method"]
    world.live_customer(call.store, call.account_id, customer_id, "customer")
    method = world.owned(call.store, world.PAYMENT_METHODS, call.account_id, method_id)
    if method is None or method.get("customer") != customer_id:
        raise resource_missing("PaymentMethod", method_id, "payment_method")
    return call.expanded(world.public(method))


def _email(params: dict[str, Any]) -> str | None:
    email = string(params, "email") or None
    if email is not None and not _EMAIL.match(email):
        raise invalid_param("email", f"Invalid email address: {email}", code="email_invalid")
    return email


def _plain_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Fields stored as given; `""` unsets a field, as on Stripe."""
    fields: dict[str, Any] = {}
    for field in ("description", "phone"):
        if field in params:
            fields[field] = string(params, field) or None
    address = hash_param(params, "address", ADDRESS_FIELDS)
    if address is not None:
        fields["address"] = _address(address) if address else None
    shipping = hash_param(params, "shipping", SHIPPING_FIELDS)
    if shipping is not None:
        fields["shipping"] = _shipping(shipping) if shipping else None
    tax_exempt = one_of(params, "tax_exempt", TAX_EXEMPT)
    if tax_exempt is not None:
        fields["tax_exempt"] = tax_exempt
    locales = string_list(params, "preferred_locales")
    if locales is not None:
        fields["preferred_locales"] = locales
    return fields


def _address(given: dict[str, Any]) -> dict[str, Any]:
    return {field: given.get(field) or None for field in ADDRESS_FIELDS}


def _shipping(given: dict[str, Any]) -> dict[str, Any]:
    address = hash_param(given, "address", ADDRESS_FIELDS) or {}
    return {"address": _address(address), "name": given.get("name"), "phone": given.get("phone")}


def _apply_invoice_settings(call: StripeCall, customer_id: str, renamed: dict[str, str]) -> None:
    settings = hash_param(call.params, "invoice_settings", INVOICE_SETTINGS_FIELDS)
    if not settings:
        return
    if "default_payment_method" in settings:
        method_id = settings["default_payment_method"] or None
        if method_id is not None:
            method_id = renamed.get(method_id, method_id)
        world.set_default_payment_method(call.store, call.account_id, customer_id, method_id)
    if "footer" in settings:
        customer = world.live_customer(call.store, call.account_id, customer_id)
        customer["invoice_settings"]["footer"] = settings["footer"] or None
        call.store.put(world.CUSTOMERS, customer_id, customer)


def _rendered(call: StripeCall, customer_id: str) -> Document:
    customer = world.get_customer(call.store, call.account_id, customer_id)
    assert customer is not None  # written in this very transaction
    return call.expanded(customer)
