"""Whom Stripe emails a `send_invoice` link's invoices to.

Stripe sends the invoice to the Stripe customer's email and ignores the Konnect customer's
(`primary_email`), and Konnect has no API to set Stripe's. So the plan shows the address
Stripe will use, and warns when the manifest expects another one.
"""

from __future__ import annotations

from reconciler.core.actions import Address
from reconciler.core.plan import Finding, Notice, Severity
from reconciler.core.stripe_facts import StripeFacts, StripeUnavailable


def stripe_email(stripe: StripeFacts, customer_id: str) -> str | None:
    """The Stripe customer's email; None when unset, unreadable or the customer is gone."""
    try:
        customer = stripe.customer(customer_id)
    except StripeUnavailable:
        return None
    if customer is None or customer.get("deleted"):
        return None
    email = customer.get("email")
    return str(email) if email else None


def invoice_email_notice(
    address: Address, customer_id: str, email: str, concerns: frozenset[Address]
) -> Notice:
    return Notice(
        address=address,
        message=f"Stripe emails invoices to {email}, the email of Stripe customer {customer_id}",
        concerns=concerns,
    )


def email_mismatch(
    address: Address, customer_id: str, email: str, primary_email: str | None
) -> Finding | None:
    """A warning when the manifest's `primary_email` is not where Stripe sends invoices."""
    if primary_email is None or primary_email.casefold() == email.casefold():
        return None
    return Finding(
        address=address,
        severity=Severity.WARNING,
        message=f"invoices go to {email}, the email of Stripe customer {customer_id}, not to "
        f"spec.customer.primary_email {primary_email}: Stripe ignores Konnect's email",
        fix="change the customer's email in the Stripe Dashboard, or primary_email to match",
    )
