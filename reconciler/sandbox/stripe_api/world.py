"""The Stripe side's state as plain functions over a `Store`: what the routes and Konnect share.

Every document belongs to one account (`documents.OWNER`); functions returning a `Document`
return its public shape, as Stripe would render it. Accounts, keys and account-wide settings
live in `accounts` and are re-exported here, so this module is the whole state API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.sandbox.clock import unix_now
from reconciler.sandbox.ids import stripe_id
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api.accounts import ACCOUNTS as ACCOUNTS
from reconciler.sandbox.stripe_api.accounts import API_KEYS as API_KEYS
from reconciler.sandbox.stripe_api.accounts import BUILT_IN_TEST_KEY as BUILT_IN_TEST_KEY
from reconciler.sandbox.stripe_api.accounts import KEY_FORMAT as KEY_FORMAT
from reconciler.sandbox.stripe_api.accounts import PORTAL_CONFIGURATIONS as PORTAL_CONFIGURATIONS
from reconciler.sandbox.stripe_api.accounts import SANDBOX_HEAD_OFFICE as SANDBOX_HEAD_OFFICE
from reconciler.sandbox.stripe_api.accounts import TAX_SETTINGS as TAX_SETTINGS
from reconciler.sandbox.stripe_api.accounts import account_for_digest as account_for_digest
from reconciler.sandbox.stripe_api.accounts import account_for_key as account_for_key
from reconciler.sandbox.stripe_api.accounts import (
    create_portal_configuration as create_portal_configuration,
)
from reconciler.sandbox.stripe_api.accounts import default_account_id as default_account_id
from reconciler.sandbox.stripe_api.accounts import ensure_account as ensure_account
from reconciler.sandbox.stripe_api.accounts import get_tax_settings as get_tax_settings
from reconciler.sandbox.stripe_api.accounts import is_well_formed_key as is_well_formed_key
from reconciler.sandbox.stripe_api.accounts import key_digest as key_digest
from reconciler.sandbox.stripe_api.accounts import key_livemode as key_livemode
from reconciler.sandbox.stripe_api.accounts import key_record as key_record
from reconciler.sandbox.stripe_api.accounts import livemode_of as livemode_of
from reconciler.sandbox.stripe_api.accounts import masked_key as masked_key
from reconciler.sandbox.stripe_api.accounts import new_account_id as new_account_id
from reconciler.sandbox.stripe_api.accounts import refusal as refusal
from reconciler.sandbox.stripe_api.accounts import register_key as register_key
from reconciler.sandbox.stripe_api.accounts import (
    remove_default_portal_configuration as remove_default_portal_configuration,
)
from reconciler.sandbox.stripe_api.accounts import revoke_key as revoke_key
from reconciler.sandbox.stripe_api.accounts import set_tax_active as set_tax_active
from reconciler.sandbox.stripe_api.accounts import tax_settings_status as tax_settings_status
from reconciler.sandbox.stripe_api.cards import (
    DEFAULT_EXPIRY,
    TEST_CARDS,
    TestCard,
    card_details,
    card_for_token,
)
from reconciler.sandbox.stripe_api.documents import OWNER as OWNER
from reconciler.sandbox.stripe_api.documents import owned as owned
from reconciler.sandbox.stripe_api.documents import public as public
from reconciler.sandbox.stripe_api.errors import StripeError, invalid_param, resource_missing

CUSTOMERS = "stripe.customers"
PAYMENT_METHODS = "stripe.payment_methods"
CHECKOUT_SESSIONS = "stripe.checkout_sessions"
PORTAL_SESSIONS = "stripe.portal_sessions"
WEBHOOK_ENDPOINTS = "stripe.webhook_endpoints"

MAX_WEBHOOK_ENDPOINTS = 16
CHECKOUT_LIFETIME_SECONDS = 24 * 3600
# Where the sandbox serves the pages standing in for Stripe's hosted checkout and portal, on
# its own host: a session's `url` is this path under the origin the session was asked on.
CHECKOUT_PAGE_PATH = "/hosted/checkout/"
PORTAL_PAGE_PATH = "/hosted/portal/"


# --- customers ---------------------------------------------------------------------------------


def create_customer(
    store: Store,
    account_id: str,
    *,
    name: str | None,
    email: str | None,
    metadata: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
    customer_id: str | None = None,
) -> Document:
    """A new customer; `fields` overrides further public fields (address, phone, ...).

    `customer_id` fixes the id (seeded worlds); otherwise one is drawn.
    """
    customer_id = customer_id or stripe_id("cus", 14)
    customer: Document = {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": unix_now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": email,
        "invoice_prefix": customer_id[4:12].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": livemode_of(store, account_id),
        "metadata": dict(metadata or {}),
        "name": name,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
        **(fields or {}),
        OWNER: account_id,
    }
    store.put(CUSTOMERS, customer_id, customer)
    return public(customer)


def get_customer(store: Store, account_id: str, customer_id: str) -> Document | None:
    """The customer, its deleted stub `{id, object, deleted: true}`, or None when unknown."""
    customer = owned(store, CUSTOMERS, account_id, customer_id)
    return None if customer is None else public(customer)


def live_customer(store: Store, account_id: str, customer_id: str, param: str = "id") -> Document:
    """The stored, not deleted customer, or Stripe's 404."""
    customer = owned(store, CUSTOMERS, account_id, customer_id)
    if customer is None or customer.get("deleted"):
        raise resource_missing("customer", customer_id, param)
    return customer


def delete_customer(store: Store, account_id: str, customer_id: str) -> Document:
    """Leave the deleted stub behind and detach the customer's payment methods, as Stripe does."""
    with store.transaction():
        live_customer(store, account_id, customer_id)
        stub = {"id": customer_id, "object": "customer", "deleted": True, OWNER: account_id}
        store.put(CUSTOMERS, customer_id, stub)
        for method in store.find(PAYMENT_METHODS, {OWNER: account_id, "customer": customer_id}):
            method["customer"] = None
            store.put(PAYMENT_METHODS, method["id"], method)
    return public(stub)


def set_default_payment_method(
    store: Store, account_id: str, customer_id: str, payment_method_id: str | None
) -> Document:
    """Set or clear `invoice_settings.default_payment_method`; the method must be attached."""
    with store.transaction():
        customer = live_customer(store, account_id, customer_id)
        if payment_method_id is not None:
            method = owned(store, PAYMENT_METHODS, account_id, payment_method_id)
            if method is None or method.get("customer") != customer_id:
                raise invalid_param(
                    "invoice_settings[default_payment_method]",
                    f"No such PaymentMethod: '{payment_method_id}'; It's possible this "
                    "PaymentMethod exists on one of your connected accounts, in which case you "
                    "should retry this request on that connected account.",
                    code="resource_missing",
                )
        customer["invoice_settings"]["default_payment_method"] = payment_method_id
        store.put(CUSTOMERS, customer_id, customer)
    return public(customer)


# --- payment methods ---------------------------------------------------------------------------


def create_card_payment_method(
    store: Store,
    account_id: str,
    *,
    card: TestCard,
    exp_month: int = DEFAULT_EXPIRY[0],
    exp_year: int = DEFAULT_EXPIRY[1],
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
    method_id: str | None = None,
) -> Document:
    method: Document = {
        "id": method_id or stripe_id("pm", 24),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": billing_details_of(billing_details or {}),
        "card": card_details(card, exp_month, exp_year),
        "created": unix_now(),
        "customer": None,
        "livemode": livemode_of(store, account_id),
        "metadata": dict(metadata or {}),
        "type": "card",
        OWNER: account_id,
    }
    store.put(PAYMENT_METHODS, method["id"], method)
    return public(method)


def billing_details_of(given: dict[str, Any]) -> Document:
    address_fields = ("city", "country", "line1", "line2", "postal_code", "state")
    address = given.get("address") or {}
    return {
        "address": {field: address.get(field) for field in address_fields},
        "email": given.get("email"),
        "name": given.get("name"),
        "phone": given.get("phone"),
    }


def payment_method(store: Store, account_id: str, payment_method_id: str) -> Document:
    """The stored payment method, or Stripe's 404."""
    method = owned(store, PAYMENT_METHODS, account_id, payment_method_id)
    if method is None:
        raise resource_missing("PaymentMethod", payment_method_id, "payment_method")
    return method


def attach_payment_method(
    store: Store, account_id: str, payment_method_id: str, customer_id: str
) -> Document:
    """Attach to a customer; a test id like `pm_card_visa` materialises a fresh method first."""
    with store.transaction():
        live_customer(store, account_id, customer_id, "customer")
        test_card = card_for_token(payment_method_id)
        if test_card is not None:
            payment_method_id = create_card_payment_method(store, account_id, card=test_card)["id"]
        method = payment_method(store, account_id, payment_method_id)
        if method["customer"] not in (None, customer_id):
            raise invalid_param(
                "payment_method",
                "The payment method you provided has already been attached to a customer.",
                code="payment_method_unexpected_state",
            )
        method["customer"] = customer_id
        store.put(PAYMENT_METHODS, payment_method_id, method)
    return public(method)


def detach_payment_method(store: Store, account_id: str, payment_method_id: str) -> Document:
    """Detach; the customer loses it as invoice default too."""
    with store.transaction():
        method = payment_method(store, account_id, payment_method_id)
        customer_id = method["customer"]
        if customer_id is None:
            raise invalid_param(
                "payment_method",
                "The payment method you provided is not attached to a customer so detachment "
                "is impossible.",
                code="payment_method_unexpected_state",
            )
        method["customer"] = None
        store.put(PAYMENT_METHODS, payment_method_id, method)
        customer = store.get(CUSTOMERS, customer_id)
        settings = (customer or {}).get("invoice_settings") or {}
        if customer and settings.get("default_payment_method") == payment_method_id:
            settings["default_payment_method"] = None
            store.put(CUSTOMERS, customer_id, customer)
    return public(method)


# --- checkout and billing portal ---------------------------------------------------------------


def create_checkout_session(
    store: Store,
    account_id: str,
    *,
    customer_id: str,
    params: dict[str, Any],
    page_origin: str = "",
) -> Document:
    """A setup-mode checkout session for an existing customer (params as Stripe takes them);
    a hosted one's `url` is the sandbox's checkout page under `page_origin`.

    What the customer enters is saved to the Stripe customer only as `customer_update` says,
    and collecting tax ids for an existing customer needs its name saved (`name: auto`), as
    Stripe requires."""
    live_customer(store, account_id, customer_id, "customer")
    tax_ids = params.get("tax_id_collection") or {}
    customer_update = params.get("customer_update") or {}
    if tax_ids.get("enabled") and customer_update.get("name") != "auto":
        raise StripeError(
            400,
            "tax_id_collection requires customer_update[name] to be 'auto' when a customer is "
            "given.",
            param="customer_update[name]",
        )
    livemode = livemode_of(store, account_id)
    session_id = stripe_id("cs_live" if livemode else "cs_test", 58)
    embedded = params.get("ui_mode") == "embedded"
    created = unix_now()
    session: Document = {
        "id": session_id,
        "object": "checkout.session",
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": session_id + "_secret_" + stripe_id("", 24)[1:] if embedded else None,
        "created": created,
        "currency": params.get("currency"),
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
            **(params.get("custom_text") or {}),
        },
        "billing_address_collection": params.get("billing_address_collection") or "auto",
        "tax_id_collection": {"enabled": bool(tax_ids.get("enabled"))},
        "customer": customer_id,
        "customer_details": None,
        "customer_email": None,
        "expires_at": int(params.get("expires_at") or created + CHECKOUT_LIFETIME_SECONDS),
        "livemode": livemode,
        "locale": params.get("locale"),
        "metadata": dict(params.get("metadata") or {}),
        "mode": "setup",
        "payment_method_types": list(params.get("payment_method_types") or ["card"]),
        "payment_status": "no_payment_required",
        "return_url": params.get("return_url"),
        "setup_intent": stripe_id("seti", 24),
        "shipping_options": [],
        "status": "open",
        "success_url": params.get("success_url"),
        "ui_mode": "embedded" if embedded else "hosted",
        "url": None if embedded else page_origin + CHECKOUT_PAGE_PATH + session_id,
        OWNER: account_id,
        _CUSTOMER_UPDATE: dict(customer_update),
    }
    store.put(CHECKOUT_SESSIONS, session_id, session)
    return public(session)


def hosted_checkout_session(store: Store, session_id: str) -> Document | None:
    """The stored session, of whichever account: its hosted page is opened by its id alone."""
    session = store.get(CHECKOUT_SESSIONS, session_id)
    return None if session is None else _with_expiry(session)


def hosted_portal_session(store: Store, session_id: str) -> Document | None:
    """The stored portal session, of whichever account, as its page opens it."""
    return store.get(PORTAL_SESSIONS, session_id)


def get_checkout_session(store: Store, account_id: str, session_id: str) -> Document:
    session = owned(store, CHECKOUT_SESSIONS, account_id, session_id)
    if session is None:
        raise resource_missing("checkout.session", session_id, "session")
    return public(_with_expiry(session))


def _with_expiry(session: Document) -> Document:
    """An open session past `expires_at` reads as expired, as Stripe expires it by then."""
    if session["status"] == "open" and session["expires_at"] <= unix_now():
        session["status"] = "expired"
        session["url"] = None
    return session


_CUSTOMER_UPDATE = "_customer_update"
_CARDHOLDER = "Sandbox Cardholder"


@dataclass(frozen=True)
class CollectedCard:
    """What the customer entered: on the hosted checkout page or in the portal, or what the
    admin completion call says they entered (`entered_card`). A `name` or `address` of None
    was not entered: the card then carries the customer's name and the sandbox's head office."""

    card: TestCard
    exp_month: int
    exp_year: int
    name: str | None
    address: dict[str, str | None] | None
    tax_ids: tuple[tuple[str, str], ...] = ()

    def cardholder(self, customer: Document) -> str:
        return self.name or customer.get("name") or _CARDHOLDER

    def billing_address(self) -> dict[str, str | None]:
        address: dict[str, str | None] = billing_details_of({"address": self.address})["address"]
        return address if self.address else dict(SANDBOX_HEAD_OFFICE)


def entered_card(entered: dict[str, Any]) -> CollectedCard:
    """The admin completion call's body as what the customer entered: a Visa, and optionally
    `address`, `name` and a `tax_id` (`{type, value}`)."""
    given = entered.get("address")
    address = (
        {field: given.get(field) for field in SANDBOX_HEAD_OFFICE}
        if isinstance(given, dict)
        else {}
    )
    tax_id = entered.get("tax_id")
    return CollectedCard(
        card=TEST_CARDS["visa"],
        exp_month=DEFAULT_EXPIRY[0],
        exp_year=DEFAULT_EXPIRY[1],
        name=str(entered["name"]) if entered.get("name") else None,
        address=address if any(address.values()) else None,
        tax_ids=(
            ((str(tax_id.get("type")), str(tax_id.get("value") or "")),)
            if isinstance(tax_id, dict)
            else ()
        ),
    )


def complete_checkout_session(
    store: Store, session_id: str, collected: CollectedCard | None = None
) -> tuple[str, str]:
    """What the customer does in hosted checkout: enter a card, which becomes the default
    (without `collected`, a Visa with the sandbox's head office as its billing address). The
    name and address entered are saved to the customer where the session's `customer_update`
    says `auto`.

    Returns (customer id, new payment method id).
    """
    with store.transaction():
        session = store.get(CHECKOUT_SESSIONS, session_id)
        if session is None:
            raise resource_missing("checkout.session", session_id, "session")
        if _with_expiry(session)["status"] != "open":
            raise StripeError(400, f"Checkout session {session_id} is {session['status']}.")
        account_id = session[OWNER]
        customer = live_customer(store, account_id, session["customer"], "customer")
        collected = collected or entered_card({})
        _save_to_customer(store, session, customer, collected)
        method = save_collected_card(store, account_id, customer, collected)
        session["status"] = "complete"
        session["url"] = None
        session["customer_details"] = {
            "address": collected.billing_address(),
            "email": customer.get("email"),
            "name": collected.cardholder(customer),
            "phone": None,
            "tax_exempt": customer.get("tax_exempt", "none"),
            "tax_ids": [{"type": kind, "value": value} for kind, value in collected.tax_ids],
        }
        store.put(CHECKOUT_SESSIONS, session_id, session)
    return customer["id"], method


def save_collected_card(
    store: Store, account_id: str, customer: Document, collected: CollectedCard
) -> str:
    """A new card attached to the customer and made its invoice default; its id."""
    method = create_card_payment_method(
        store,
        account_id,
        card=collected.card,
        exp_month=collected.exp_month,
        exp_year=collected.exp_year,
        billing_details={
            "address": collected.billing_address(),
            "email": customer.get("email"),
            "name": collected.cardholder(customer),
        },
    )
    attach_payment_method(store, account_id, method["id"], customer["id"])
    set_default_payment_method(store, account_id, customer["id"], method["id"])
    return str(method["id"])


def _save_to_customer(
    store: Store, session: Document, customer: Document, collected: CollectedCard
) -> None:
    """The billing details entered, saved to the Stripe customer as `customer_update` says."""
    saved = session.get(_CUSTOMER_UPDATE) or {}
    if saved.get("address") == "auto":
        customer["address"] = collected.billing_address()
    if saved.get("name") == "auto" and collected.name:
        customer["name"] = collected.name
    store.put(CUSTOMERS, customer["id"], customer)


def create_portal_session(
    store: Store,
    account_id: str,
    customer_id: str,
    *,
    return_url: str | None,
    locale: str | None,
    configuration: str | None,
    page_origin: str = "",
) -> Document:
    """A portal session whose `url` is the sandbox's portal page under `page_origin`."""
    live_customer(store, account_id, customer_id, "customer")
    configuration_id = _portal_configuration_id(store, account_id, configuration)
    livemode = livemode_of(store, account_id)
    session_id = stripe_id("bps", 24)
    session: Document = {
        "id": session_id,
        "object": "billing_portal.session",
        "configuration": configuration_id,
        "created": unix_now(),
        "customer": customer_id,
        "flow": None,
        "livemode": livemode,
        "locale": locale,
        "on_behalf_of": None,
        "return_url": return_url,
        "url": page_origin + PORTAL_PAGE_PATH + session_id,
        OWNER: account_id,
    }
    store.put(PORTAL_SESSIONS, session_id, session)
    return public(session)


def _portal_configuration_id(store: Store, account_id: str, requested: str | None) -> str:
    if requested is not None:
        if owned(store, PORTAL_CONFIGURATIONS, account_id, requested) is None:
            raise resource_missing("billing_portal.configuration", requested, "configuration")
        return requested
    defaults = store.find(PORTAL_CONFIGURATIONS, {OWNER: account_id, "is_default": True}, limit=1)
    if not defaults:
        mode = "live" if livemode_of(store, account_id) else "test"
        raise StripeError(
            400,
            f"No configuration provided and your {mode} mode default configuration has not "
            f"been created. Provide a configuration or create your default by saving your "
            f"customer portal settings in {mode} mode at "
            f"https://dashboard.stripe.com/{mode}/settings/billing/portal.",
        )
    return str(defaults[0]["id"])


# --- webhook endpoints -------------------------------------------------------------------------


def create_webhook_endpoint(
    store: Store,
    account_id: str,
    *,
    url: str,
    enabled_events: list[str],
    metadata: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
) -> Document:
    """A new endpoint; only this response carries its `secret`."""
    with store.transaction():
        if store.count(WEBHOOK_ENDPOINTS, {OWNER: account_id}) >= MAX_WEBHOOK_ENDPOINTS:
            mode = "live" if livemode_of(store, account_id) else "test"
            raise invalid_param(
                "url",
                f"You have reached the maximum of {MAX_WEBHOOK_ENDPOINTS} {mode} webhook "
                "endpoints.",
                code="url_invalid",
            )
        endpoint: Document = {
            "id": stripe_id("we", 24),
            "object": "webhook_endpoint",
            "api_version": None,
            "application": None,
            "created": unix_now(),
            "description": None,
            "enabled_events": list(enabled_events),
            "livemode": livemode_of(store, account_id),
            "metadata": dict(metadata or {}),
            "status": "enabled",
            "url": url,
            **(fields or {}),
            "_secret": stripe_id("whsec", 32),
            OWNER: account_id,
        }
        store.put(WEBHOOK_ENDPOINTS, endpoint["id"], endpoint)
    return {**public(endpoint), "secret": endpoint["_secret"]}


def ensure_webhook_endpoint(
    store: Store,
    account_id: str,
    *,
    url: str,
    enabled_events: list[str],
    metadata: dict[str, str] | None = None,
) -> Document:
    """The account's endpoint for `url` with these events, created (with `secret`) if missing."""
    with store.transaction():
        found = store.find(WEBHOOK_ENDPOINTS, {OWNER: account_id, "url": url}, limit=1)
        if not found:
            return create_webhook_endpoint(
                store, account_id, url=url, enabled_events=enabled_events, metadata=metadata
            )
        endpoint = found[0]
        endpoint["enabled_events"] = list(enabled_events)
        endpoint["metadata"] = {**endpoint["metadata"], **(metadata or {})}
        store.put(WEBHOOK_ENDPOINTS, endpoint["id"], endpoint)
    return public(endpoint)


def webhook_endpoint(store: Store, account_id: str, endpoint_id: str) -> Document:
    """The stored endpoint, or Stripe's 404."""
    endpoint = owned(store, WEBHOOK_ENDPOINTS, account_id, endpoint_id)
    if endpoint is None:
        raise resource_missing("webhook endpoint", endpoint_id, "webhook_endpoint")
    return endpoint
