"""Checkout onboarding in the plan: a link declared with `onboarding: checkout` has no Stripe
ids in its manifest; Konnect links a Stripe customer when a checkout session is made, and the
card once the customer completes it. Until then the plan warns, and after it the Stripe
checks look at what Konnect linked.
"""

from __future__ import annotations

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.live import Document, Live
from reconciler.core.plan import Finding, Severity
from reconciler.core.stripe_facts import StripeAccounts, StripeFacts, StripeUnavailable
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.billing_profile import payment_app_id
from reconciler.kinds.customer_billing.live import ADDRESS_TYPE, app_of, link_of, live_profile
from reconciler.kinds.customer_billing.stripe_checks import customer_gone
from reconciler.kinds.stripe_app import ADDRESS_TYPE as STRIPE_APP
from reconciler.manifests import CustomerBilling

SEND_CHECKOUT = (
    "send the customer a checkout link (reconcile checkout-url{pinning}); the card is saved when "
    "they complete it"
)


def awaiting_checkout(world: World) -> list[Finding]:
    if world.stripe is not None:
        read_checkout_customers(world, world.stripe)
    findings = []
    for link in world.manifests.of_kind(CustomerBilling):
        if link.spec.onboarding != "checkout":
            continue
        address = Address(type=ADDRESS_TYPE, name=link.name)
        desired = world.desired_of(address)
        facts = None
        if world.stripe is not None and desired is not None:
            facts = world.stripe.of(app_of(desired, world))
        live = world.live_of(address)
        message = _checkout_pending(live, facts)
        if message is None:
            continue
        fix = SEND_CHECKOUT.format(pinning="")
        if not _linked_stripe(live) and link.spec.billing_profile:
            message, fix = _unpinned_checkout(message, fix, link.spec.billing_profile, live, world)
        findings.append(
            Finding(address=address, severity=Severity.WARNING, message=message, fix=fix)
        )
    return findings


def _unpinned_checkout(
    message: str, fix: str, profile: str, live: Live | None, world: World
) -> tuple[str, str]:
    """What a checkout link with no Stripe customer yet says of the profile it names, when
    Konnect bills it through another one: the pin waits for the checkout's Stripe customer."""
    link = link_of(live)
    effective = live_profile(world, link.profile_id if link else None)
    declared = world.live_of(Address(type=PROFILE, name=profile))
    if effective is None or declared is None or effective.id == declared.id:
        return message, fix
    effective_name = world.name_of(PROFILE, effective.id)
    effective_app, declared_app = payment_app_id(effective.raw), payment_app_id(declared.raw)
    if effective_app == declared_app:
        message += (
            f"; it is billed through {effective_name} until the checkout pins it to {profile} "
            "(Konnect pins a customer only together with its Stripe customer)"
        )
        return message, SEND_CHECKOUT.format(pinning=f", which pins it to {profile}")
    message += (
        f"; it is billed through {effective_name}, whose app is not that of {profile}: a "
        "checkout would create its Stripe customer in the wrong Stripe account, and Konnect "
        "pins a customer only together with its Stripe customer"
    )
    app = world.name_of(STRIPE_APP, declared_app)
    fix = (
        f"create the Stripe customer in the account of {app} and declare it as "
        "spec.stripe.customer_id instead of `onboarding: checkout`"
    )
    return message, fix


def _checkout_pending(live: Live | None, stripe: StripeFacts | None) -> str | None:
    """Why an onboarding customer cannot be charged yet, or None once its checkout is done."""
    linked = _linked_stripe(live)
    if not linked.get("customer_id"):
        return "no Stripe customer is linked yet (onboarding: checkout)"
    # A deleted Stripe customer is no pending checkout: the Stripe checks block on it.
    if _card_saved(linked, stripe) is not False or customer_gone(stripe, linked["customer_id"]):
        return None
    return (
        f"checkout started (Stripe customer {linked['customer_id']}) but not completed: "
        "no payment method yet (onboarding: checkout)"
    )


def completed_checkout(live: Live | None, stripe: StripeFacts | None) -> Document | None:
    """The Stripe ids Konnect linked to an onboarding customer, once its checkout completed
    or its Stripe customer is gone (deleted mid-onboarding: no checkout can complete then)."""
    linked = _linked_stripe(live)
    customer_id = linked.get("customer_id")
    if customer_id and (_card_saved(linked, stripe) or customer_gone(stripe, customer_id)):
        return linked
    return None


def _card_saved(linked: Document, stripe: StripeFacts | None) -> bool | None:
    """Whether the checkout of a linked onboarding customer saved a card; None: unknown.

    Konnect links a new Stripe customer as soon as a checkout session is created, so a link
    alone does not mean the checkout was completed: the saved card does. Konnect names it on
    the link; a card made the invoice default in Stripe counts as well.
    """
    if linked.get("default_payment_method_id"):
        return True
    if stripe is None:
        return None
    try:
        customer = stripe.customer(linked["customer_id"]) or {}
    except StripeUnavailable:
        return None  # the app's account check reports why
    return bool((customer.get("invoice_settings") or {}).get("default_payment_method"))


def _linked_stripe(live: Live | None) -> Document:
    link = link_of(live)
    return dict(link.stripe) if link is not None else {}


def read_checkout_customers(world: World, stripe: StripeAccounts) -> None:
    """Read the Stripe customers Konnect linked to onboarding customers, concurrently."""
    by_app: dict[str, set[str]] = {}
    for desired in world.desired.get(ADDRESS_TYPE, []):
        if desired.document.get("stripe"):
            continue  # declared in the manifest, not linked by a checkout
        customer_id = _linked_stripe(world.live_of(desired.address)).get("customer_id")
        if customer_id:
            by_app.setdefault(app_of(desired, world), set()).add(customer_id)
    for app, customer_ids in by_app.items():
        facts = stripe.of(app)
        if facts is not None:
            facts.retrieve_customers(customer_ids)
