"""`/v1/payment_methods`: test cards from tokens, retrieve, update, attach, detach, list."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.cards import DEFAULT_EXPIRY, card_for_token
from reconciler.sandbox.stripe_api.customers import ADDRESS_FIELDS
from reconciler.sandbox.stripe_api.endpoint import StripeCall, stripe_route
from reconciler.sandbox.stripe_api.errors import StripeError, invalid_param, missing_param
from reconciler.sandbox.stripe_api.listing import PAGING_PARAMS, list_objects
from reconciler.sandbox.stripe_api.params import hash_param, integer, merged_metadata, string

BILLING_DETAILS_FIELDS = ("address", "email", "name", "phone")
CARD_FIELDS = ("token", "number", "exp_month", "exp_year", "cvc")
_RAW_CARD_NUMBERS = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. To continue "
    "processing use Stripe.js, the Stripe mobile bindings, or Stripe Elements. In test mode, "
    "use a test token such as card[token]=tok_visa instead."
)


def routes() -> list[Route]:
    return [
        stripe_route(
            "/payment_methods",
            "POST",
            create,
            ("type", "card", "billing_details", "metadata", "allow_redisplay"),
        ),
        stripe_route(
            "/payment_methods", "GET", list_payment_methods, (*PAGING_PARAMS, "customer", "type")
        ),
        stripe_route("/payment_methods/{payment_method}", "GET", retrieve),
        stripe_route(
            "/payment_methods/{payment_method}", "POST", update, ("billing_details", "metadata")
        ),
        stripe_route("/payment_methods/{payment_method}/attach", "POST", attach, ("customer",)),
        stripe_route("/payment_methods/{payment_method}/detach", "POST", detach),
    ]


def create(call: StripeCall) -> Document:
    method_type = string(call.params, "type", required=True)
    if method_type != "card":
        raise invalid_param(
            "type", f"The sandbox supports payment methods of type card only, not '{method_type}'."
        )
    card = hash_param(call.params, "card", CARD_FIELDS)
    if not card:
        raise missing_param("card")
    if "number" in card:
        raise StripeError(400, _RAW_CARD_NUMBERS, param="card[number]")
    token = string(card, "token")
    if token is None:
        raise missing_param("card[token]")
    test_card = card_for_token(token)
    if test_card is None:
        raise invalid_param("card[token]", f"No such token: '{token}'", code="resource_missing")
    method = world.create_card_payment_method(
        call.store,
        call.account_id,
        card=test_card,
        exp_month=integer(card, "exp_month", default=DEFAULT_EXPIRY[0], minimum=1, maximum=12),
        exp_year=integer(card, "exp_year", default=DEFAULT_EXPIRY[1], minimum=2000, maximum=2100),
        billing_details=_billing_details(call.params),
        metadata=merged_metadata({}, call.params),
    )
    return call.expanded(method)


def retrieve(call: StripeCall) -> Document:
    method = world.payment_method(call.store, call.account_id, call.path["payment_method"])
    return call.expanded(world.public(method))


def update(call: StripeCall) -> Document:
    method = world.payment_method(call.store, call.account_id, call.path["payment_method"])
    details = _billing_details(call.params)
    if details is not None:
        method["billing_details"] = world.billing_details_of(
            {**method["billing_details"], **details}
        )
    method["metadata"] = merged_metadata(method["metadata"], call.params)
    call.store.put(world.PAYMENT_METHODS, method["id"], method)
    return call.expanded(world.public(method))


def attach(call: StripeCall) -> Document:
    customer_id = string(call.params, "customer", required=True)
    assert customer_id is not None
    method = world.attach_payment_method(
        call.store, call.account_id, call.path["payment_method"], customer_id
    )
    return call.expanded(method)


def detach(call: StripeCall) -> Document:
    return call.expanded(
        world.detach_payment_method(call.store, call.account_id, call.path["payment_method"])
    )


def list_payment_methods(call: StripeCall) -> Document:
    where: dict[str, Any] = {}
    customer_id = string(call.params, "customer")
    if customer_id:
        world.live_customer(call.store, call.account_id, customer_id, "customer")
        where["customer"] = customer_id
    method_type = string(call.params, "type")
    if method_type:
        where["type"] = method_type
    return list_objects(
        call, world.PAYMENT_METHODS, where, url="/v1/payment_methods", kind="PaymentMethod"
    )


def _billing_details(params: dict[str, Any]) -> dict[str, Any] | None:
    details = hash_param(params, "billing_details", BILLING_DETAILS_FIELDS)
    if details is None:
        return None
    if "address" in details:
        hash_param(details, "address", ADDRESS_FIELDS)
    return {key: value or None for key, value in details.items()}
