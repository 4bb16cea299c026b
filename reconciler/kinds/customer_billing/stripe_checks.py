"""What Stripe must hold for a customer link to work when an invoice is due.

Konnect stores the ids without checking them, so a wrong one surfaces only at invoicing.
Each problem becomes a finding that names the customer link and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reconciler.core.actions import Address
from reconciler.core.plan import Finding, Severity
from reconciler.core.stripe_facts import StripeFacts, StripeUnavailable


@dataclass(frozen=True)
class Remedies:
    """How the manifest fixes a broken link: declared ids are edited, while a link made
    through Stripe Checkout gets its card from the customer completing a new checkout."""

    relink: str
    missing: str
    attach: str
    replace_named_card: str
    replace_default_card: str


DECLARED = Remedies(
    relink="link a live Stripe customer, or use `onboarding: checkout` to create one",
    missing="use the id of a customer of that account (Stripe Dashboard > Customers)",
    attach="attach it to that customer in Stripe, or name one that is",
    replace_named_card="attach a current card to the customer in Stripe and name it in "
    "stripe.default_payment_method_id (the customer can add one: `reconcile portal-url`)",
    replace_default_card="have the customer add a current card (`reconcile portal-url`) and "
    "make it the invoice default in Stripe",
)
_CHECKOUT_AGAIN = (
    "send the customer a new checkout link (`reconcile checkout-url`); completing it saves a "
    "new card as the default"
)
ONBOARDED = Remedies(
    # Konnect makes a new Stripe customer through checkout only while none is linked.
    relink="link a live Stripe customer: declare stripe.customer_id instead of "
    "`onboarding: checkout`",
    missing="link a customer of that account: declare its id in stripe.customer_id instead "
    "of `onboarding: checkout`",
    attach=_CHECKOUT_AGAIN,
    replace_named_card=_CHECKOUT_AGAIN,
    replace_default_card=_CHECKOUT_AGAIN,
)


def stripe_findings(
    address: Address,
    stripe: StripeFacts,
    *,
    customer_id: str,
    payment_method_id: str | None,
    collection_method: str,
    tax_enforced: bool,
    tax_enabled: bool = False,
    remedies: Remedies = DECLARED,
) -> list[Finding]:
    try:
        customer = stripe.customer(customer_id)
    except StripeUnavailable as failure:
        return _unread(address, stripe, f"Stripe customer {customer_id}", failure)
    if customer is None:
        return [
            Finding.blocking(
                address,
                f"Stripe customer {customer_id} does not exist in the app's Stripe account",
                remedies.missing,
            )
        ]
    if customer.get("deleted"):
        return [
            Finding.blocking(address, f"Stripe customer {customer_id} was deleted", remedies.relink)
        ]
    findings = _payment_findings(
        address, stripe, customer, payment_method_id, collection_method, remedies
    )
    if collection_method == "send_invoice" and not customer.get("email"):
        findings.append(
            Finding.blocking(
                address,
                f"Stripe customer {customer_id} has no email, and its profile sends invoices",
                "set the customer's email in Stripe",
            )
        )
    if tax_enforced and not _has_address(customer.get("address")):
        findings.append(
            Finding.blocking(
                address,
                f"Stripe customer {customer_id} has no address, and its profile enforces tax",
                "set the customer's address in Stripe",
            )
        )
    elif tax_enabled or tax_enforced:
        findings += tax_location_findings(address, customer, enforced=tax_enforced)
    return findings


_PLACE_IT = (
    "complete the customer's address in Stripe (a country; in the US and Canada a postal code "
    "too), or have the customer enter it in the portal (`reconcile portal-url`)"
)


def tax_location_findings(
    address: Address, customer: dict[str, Any], *, enforced: bool
) -> list[Finding]:
    """Where Stripe Tax places the customer (`tax.automatic_tax`), for a profile that taxes:
    a location it cannot recognise blocks when tax is enforced and warns otherwise; one where
    the account collects no tax warns when tax is enforced."""
    status = (customer.get("tax") or {}).get("automatic_tax")
    customer_id = customer["id"]
    if status == "unrecognized_location":
        consequence = (
            "and its profile enforces tax, so its invoices cannot be finalized"
            if enforced
            else "so its invoices are sent without tax"
        )
        return [
            Finding(
                address=address,
                severity=Severity.ERROR if enforced else Severity.WARNING,
                message=f"Stripe Tax cannot place Stripe customer {customer_id} "
                f"(tax.automatic_tax: unrecognized_location), {consequence}",
                fix=_PLACE_IT,
            )
        ]
    if status == "not_collecting" and enforced:
        where = ((customer.get("tax") or {}).get("location") or {}).get("country") or "?"
        return [
            Finding(
                address=address,
                severity=Severity.WARNING,
                message=f"Stripe Tax collects no tax where Stripe customer {customer_id} is "
                f"({where}; tax.automatic_tax: not_collecting), though its profile enforces tax",
                fix="add a tax registration for that location in the Stripe Dashboard "
                "(Settings > Tax), if you must collect tax there",
            )
        ]
    return []


def tax_details(customer: dict[str, Any] | None) -> str | None:
    """`in DE (billing_address), supported; tax ids: eu_vat DE123`; None when unknown."""
    tax = (customer or {}).get("tax")
    if not tax:
        return None
    location = tax.get("location") or {}
    place = (
        f"in {location.get('country')} ({location.get('source')})"
        if location.get("country")
        else "in no known location"
    )
    ids = (customer or {}).get("tax_ids") or []
    listed = ", ".join(f"{i['type']} {i['value']}" for i in ids) or "none"
    return f"{place}, {tax.get('automatic_tax')}; tax ids: {listed}"


def customer_gone(stripe: StripeFacts | None, customer_id: str) -> bool:
    """Whether the app's Stripe account no longer holds the customer: deleted, or never there.
    False when unknown (no checks, or a failed read, which the app's account check reports)."""
    if stripe is None:
        return False
    try:
        customer = stripe.customer(customer_id)
    except StripeUnavailable:
        return False
    return customer is None or bool(customer.get("deleted"))


def _payment_findings(
    address: Address,
    stripe: StripeFacts,
    customer: dict[str, Any],
    payment_method_id: str | None,
    collection_method: str,
    remedies: Remedies,
) -> list[Finding]:
    customer_id = customer["id"]
    if payment_method_id is not None:
        try:
            method = stripe.payment_method(customer_id, payment_method_id)
        except StripeUnavailable as failure:
            return _unread(address, stripe, f"payment method {payment_method_id}", failure)
        if method is None:
            return [
                Finding.blocking(
                    address,
                    f"payment method {payment_method_id} is not attached to Stripe customer "
                    f"{customer_id}",
                    remedies.attach,
                )
            ]
        replace_card = remedies.replace_named_card
    elif collection_method == "charge_automatically":
        method = (customer.get("invoice_settings") or {}).get("default_payment_method")
        if not method:
            return [
                Finding.blocking(
                    address,
                    f"no default_payment_method_id is given and Stripe customer {customer_id} "
                    "has no invoice default payment method to charge",
                    "set stripe.default_payment_method_id, or an invoice default in Stripe",
                )
            ]
        replace_card = remedies.replace_default_card
    else:
        return []
    if not isinstance(method, dict):
        return []
    return _method_findings(address, method, replace_card)


def _unread(
    address: Address, stripe: StripeFacts, what: str, failure: StripeUnavailable
) -> list[Finding]:
    """A read that failed (after retries) leaves the link unchecked, so it blocks; unless the
    key reads nothing at all, which the Stripe app's account check reports once."""
    if not stripe.readable():
        return []
    return [
        Finding.blocking(
            address,
            f"{what} could not be read from Stripe ({failure}), so the link is unchecked",
            "plan again; if it keeps failing, check Stripe's status and the key's read access",
        )
    ]


def _method_findings(address: Address, method: dict[str, Any], replace_card: str) -> list[Finding]:
    findings = []
    if not _has_address((method.get("billing_details") or {}).get("address")):
        findings.append(
            Finding.blocking(
                address,
                f"payment method {method.get('id')} has no billing address",
                "add the billing address to the payment method in Stripe",
            )
        )
    expiry = _expiry(method)
    if expiry is not None and expiry < _this_month():
        year, month = expiry
        findings.append(
            Finding.blocking(
                address,
                f"payment method {method.get('id')} is a card that expired at the end of "
                f"{month:02d}/{year}",
                replace_card,
            )
        )
    return findings


def _expiry(method: dict[str, Any]) -> tuple[int, int] | None:
    """(year, month) of a card's expiry; None for other kinds of payment method."""
    card = method.get("card") or {}
    year, month = card.get("exp_year"), card.get("exp_month")
    if isinstance(year, int) and isinstance(month, int):
        return year, month
    return None


def _this_month() -> tuple[int, int]:
    # A card is good through the last day of its expiry month.
    now = datetime.now(UTC)
    return now.year, now.month


def _has_address(address: Any) -> bool:
    return isinstance(address, dict) and any(address.values())
