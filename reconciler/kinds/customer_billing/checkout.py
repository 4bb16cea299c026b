"""Onboarding links for one customer: a Stripe Checkout session and a Billing Portal session.

Konnect creates both for a customer (`/customers/{id}/billing/stripe/...`). Checkout runs in
`setup` mode: the customer enters a card, and Konnect links it once the checkout completes.
Asking for a checkout session is not idempotent (Konnect creates and links a Stripe customer
when none is linked), so the request is sent exactly once, never retried.

Each command first reads what it needs (`prepare_*`: the customer by key, its billing link and
its profile), refusing with a fix when the customer is not ready, then sends one POST
(`create_*`). The split keeps every refusal ahead of the only write that matters.

Konnect makes the checkout under the app of the profile that bills the customer, and pins a
customer to a profile only together with its Stripe customer: an onboarding customer whose
link names a profile is pinned to it right after the checkout links its Stripe customer, and
a checkout that Konnect would make under another app than that profile's is refused.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

from reconciler.clients import routes
from reconciler.clients.answers import Expected
from reconciler.clients.errors import (
    ClientError,
    NotFound,
)
from reconciler.clients.konnect import PAGE, KonnectClient
from reconciler.errors import ReconcileError
from reconciler.kinds.billing_profile import payment_app_id
from reconciler.kinds.customer_billing.checkout_options import merged, stripe_checkout_options
from reconciler.kinds.customer_billing.checkout_write import (
    CheckoutUncertain,
    explained_write_failure,
    retries_off,
)
from reconciler.kinds.customer_billing.live import Billing, CustomerLink
from reconciler.manifests import BillingProfile, CustomerBilling, ManifestSet
from reconciler.manifests.customer_billing import CheckoutOptions

# A checkout session has no `id`: Konnect answers with Stripe's session id.
CHECKOUT_SESSION = Expected(
    "a JSON object with a `session_id`",
    lambda body: isinstance(body, dict) and isinstance(body.get("session_id"), str),
)
REDACTED = "(redacted; --show-secret to print)"

Document = dict[str, Any]
UiMode = Literal["hosted", "embedded"]


class OnboardingRefused(ReconcileError):
    """The customer cannot be onboarded as asked; the message says why and what to do."""


@dataclass(frozen=True)
class CheckoutRequest:
    """What the user asked for on the command line."""

    success_url: str | None = None
    cancel_url: str | None = None
    return_url: str | None = None
    ui_mode: UiMode = "hosted"
    force: bool = False
    # Checkout options given on the command line, over the manifest's `spec.checkout`.
    options: CheckoutOptions | None = None

    def redirect_options(self) -> Document:
        """Where Stripe sends the customer afterwards; ValueError for a combination it refuses."""
        if self.ui_mode == "embedded":
            # Embedded checkout returns to one URL; Stripe refuses success and cancel URLs.
            if self.success_url or self.cancel_url:
                raise ValueError("--embedded takes --return-url, not --success-url/--cancel-url")
            if not self.return_url:
                raise ValueError("--embedded needs --return-url")
            return {"ui_mode": "embedded", "return_url": self.return_url}
        if self.return_url:
            raise ValueError("--return-url is for --embedded; hosted checkout takes --success-url")
        if not self.success_url:
            raise ValueError("hosted checkout needs --success-url")
        options: Document = {"success_url": self.success_url}
        if self.cancel_url:
            options["cancel_url"] = self.cancel_url
        return options


@dataclass(frozen=True)
class PreparedCheckout:
    """Everything checked; the session request that will be sent once."""

    link: CustomerBilling
    customer: CustomerLink
    stripe_options: Document
    warnings: list[str] = field(default_factory=list)
    # The profile an onboarding customer is pinned to once its checkout links a Stripe customer.
    pin: str | None = None


@dataclass(frozen=True)
class CheckoutSession:
    link: CustomerBilling
    customer: CustomerLink
    result: Document
    billing_address_collection: str
    warnings: list[str]
    # What the checkout saves to the Stripe customer (`address`, `name`), and tax id collection.
    saves: list[str] = field(default_factory=list)
    tax_id_collection: bool = False

    def to_json(self, *, show_secret: bool) -> Document:
        """The session for machines; `client_secret` redacted unless asked for."""
        secret = self.result.get("client_secret")
        return {
            "customer": _customer_json(self.link, self.customer),
            "url": self.result.get("url"),
            "session_id": self.result.get("session_id"),
            "setup_intent_id": self.result.get("setup_intent_id"),
            "stripe_customer_id": self.result.get("stripe_customer_id"),
            "expires_at": self.result.get("expires_at"),
            "client_secret": secret if show_secret or secret is None else REDACTED,
            "billing_address_collection": self.billing_address_collection,
            "saves_to_stripe_customer": self.saves,
            "tax_id_collection": self.tax_id_collection,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class PortalSession:
    link: CustomerBilling
    customer: CustomerLink
    result: Document

    def to_json(self) -> Document:
        return {
            "customer": _customer_json(self.link, self.customer),
            "url": self.result.get("url"),
            "session_id": self.result.get("id"),
            "stripe_customer_id": self.result.get("stripe_customer_id"),
            "return_url": self.result.get("return_url"),
            "created_at": self.result.get("created_at"),
        }


def find_link(manifests: ManifestSet, reference: str) -> CustomerBilling:
    """The CustomerBilling manifest named `NAME` or `CustomerBilling/NAME`."""
    kind, slash, name = reference.partition("/")
    if not slash:
        kind, name = CustomerBilling.KIND, reference
    if kind != CustomerBilling.KIND:
        raise OnboardingRefused(f"{reference!r}: expected NAME or {CustomerBilling.KIND}/NAME")
    link = manifests.get(CustomerBilling, name)
    if link is not None:
        return link
    names = [doc.name for doc in manifests.of_kind(CustomerBilling)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise OnboardingRefused(f"no {CustomerBilling.KIND} manifest named {name!r}{hint}")


def profile_name(manifests: ManifestSet, link: CustomerBilling) -> str | None:
    """The Konnect name of the billing profile the link names; None when it follows the default."""
    named = link.spec.billing_profile
    profile = manifests.get(BillingProfile, named) if named else None
    return None if profile is None else profile.konnect_name


def prepare_checkout(
    konnect: KonnectClient,
    link: CustomerBilling,
    request: CheckoutRequest,
    *,
    profile: str | None = None,
) -> PreparedCheckout:
    """Everything the checkout needs, read and checked; `profile` is the Konnect name of the
    billing profile the link names (see `profile_name`)."""
    options = request.redirect_options()
    customer = read_customer(konnect, link)
    warnings = _checkout_warnings(link, customer, request.force)
    billed = _checkout_profile(konnect, link, customer, profile)
    # Konnect charges a card only when it has a billing address, and Stripe Tax places the
    # customer by the address saved to the Stripe customer: collect and save what it needs.
    collected, cautions = stripe_checkout_options(
        merged(link.spec.checkout, request.options), billed
    )
    options.update(collected)
    warnings += cautions
    onboarding = link.spec.onboarding == "checkout"
    return PreparedCheckout(
        link=link,
        customer=customer,
        stripe_options=options,
        warnings=warnings,
        pin=billed["id"] if billed is not None and profile and onboarding else None,
    )


def create_checkout(konnect: KonnectClient, prepared: PreparedCheckout) -> CheckoutSession:
    """Send the checkout request once: a retry could create a second session."""
    with retries_off(konnect), explained_write_failure():
        result = konnect.post(
            routes.CHECKOUT_SESSIONS,
            {"stripe_options": prepared.stripe_options},
            path={"customerId": prepared.customer.id},
            expect=CHECKOUT_SESSION,
        )
    warnings = prepared.warnings
    if prepared.pin is not None:
        warnings = warnings + _pin(konnect, prepared.customer, prepared.pin)
    return CheckoutSession(
        link=prepared.link,
        customer=prepared.customer,
        result=result,
        billing_address_collection=prepared.stripe_options.get(
            "billing_address_collection", "auto"
        ),
        warnings=warnings,
        saves=sorted(
            k
            for k, v in (prepared.stripe_options.get("customer_update") or {}).items()
            if v == "auto"
        ),
        tax_id_collection=bool(prepared.stripe_options.get("tax_id_collection")),
    )


def _pin(konnect: KonnectClient, customer: CustomerLink, profile_id: str) -> list[str]:
    """Pin the customer to its profile with the Stripe customer the checkout linked, as apply
    would; a warning when that fails, since the session exists all the same."""
    path = {"customerId": customer.id}
    try:
        # Read again: the billing PUT replaces the Stripe ids, which the checkout just set.
        billing = konnect.get(routes.CUSTOMER_BILLING, path=path) or {}
        linked = (billing.get("app_data") or {}).get("stripe") or {}
        body = {"billing_profile": {"id": profile_id}, "app_data": {"stripe": linked}}
        konnect.put(routes.CUSTOMER_BILLING, body, path=path)
    except ClientError as error:
        return [
            f"the customer is not pinned to its billing profile yet ({error}); `reconcile "
            "apply` pins it, now that Konnect links its Stripe customer"
        ]
    return []


def prepare_portal(konnect: KonnectClient, link: CustomerBilling) -> CustomerLink:
    customer = read_customer(konnect, link)
    if customer.stripe_customer_id is None:
        raise OnboardingRefused(
            f"{_address(link)} has no linked Stripe customer in Konnect yet; " + _link_fix(link)
        )
    return customer


def create_portal(
    konnect: KonnectClient, link: CustomerBilling, customer: CustomerLink, return_url: str
) -> PortalSession:
    result = konnect.post(
        routes.PORTAL_SESSIONS,
        {"stripe_options": {"return_url": return_url}},
        path={"customerId": customer.id},
    )
    return PortalSession(link=link, customer=customer, result=result)


def read_customer(konnect: KonnectClient, link: CustomerBilling) -> CustomerLink:
    """The Konnect customer with the manifest's key, and its billing link."""
    key = link.spec.customer.key
    page = konnect.request("GET", routes.CUSTOMERS, params={"filter[key]": key}, expect=PAGE)
    found = [c for c in page.get("data") or [] if c.get("key") == key and not c.get("deleted_at")]
    if not found:
        raise OnboardingRefused(
            f"Konnect has no customer with key {key!r} ({_address(link)}) yet; "
            "run `reconcile apply` on the manifests first"
        )
    customer = found[0]
    billing = konnect.get(routes.CUSTOMER_BILLING, path={"customerId": customer["id"]})
    return CustomerLink.listed(customer, Billing.of(billing))


def _checkout_profile(
    konnect: KonnectClient, link: CustomerBilling, customer: CustomerLink, profile: str | None
) -> Document | None:
    """The profile the checkout is for: the one the link names, else the one Konnect bills
    the customer through. Refused when Konnect would make the checkout under another app."""
    billed = _profile(konnect, customer.profile_id) if customer.profile_id else None
    if profile is None:
        return billed
    named = next((p for p in konnect.list_all(routes.PROFILES) if p.get("name") == profile), None)
    if named is None:
        raise OnboardingRefused(
            f"Konnect has no billing profile named {profile!r} ({_address(link)} names it) "
            "yet; run `reconcile apply` first"
        )
    if billed is None or billed["id"] == named["id"]:
        return named
    if link.spec.onboarding != "checkout":
        raise OnboardingRefused(
            f"Konnect bills {_address(link)} through billing profile {billed['name']!r}, not "
            f"{profile!r} as its manifest says; run `reconcile apply` first, which pins it"
        )
    if payment_app_id(billed) != payment_app_id(named):
        raise OnboardingRefused(_another_app(konnect, link, billed, named))
    return named


def _another_app(
    konnect: KonnectClient, link: CustomerBilling, billed: Document, named: Document
) -> str:
    billed_app, named_app = (_app_name(konnect, p) for p in (billed, named))
    return (
        f"Konnect bills the customer through {billed['name']} (app {billed_app}), not "
        f"{named['name']} (app {named_app}) as {_address(link)} says, until it is pinned to "
        f"it, and it pins a customer only together with its Stripe customer: a checkout now "
        f"would create the Stripe customer in the Stripe account of {billed_app}. Create the "
        f"Stripe customer in the account of {named_app} and declare it as "
        "spec.stripe.customer_id instead of `onboarding: checkout`, then run `reconcile apply`"
    )


def _profile(konnect: KonnectClient, profile_id: str) -> Document:
    profile: Document = konnect.get(routes.PROFILE, path={"profileId": profile_id}) or {}
    return profile


def _app_name(konnect: KonnectClient, profile: Document) -> str:
    app_id = payment_app_id(profile)
    if app_id is None:
        return "(none)"
    try:
        app: Document = konnect.get(routes.APP, path={"appId": app_id}) or {}
    except NotFound:
        return app_id
    return str(app.get("name") or app_id)


def _checkout_warnings(link: CustomerBilling, customer: CustomerLink, force: bool) -> list[str]:
    """Refuse a checkout that would fight the manifest; say what an allowed one will do."""
    if link.spec.onboarding == "checkout":
        if customer.stripe_customer_id is None:
            return []
        return [
            f"Konnect already links Stripe customer {customer.stripe_customer_id} (an earlier "
            "checkout link created it); the card collected now is added to it and becomes "
            "its default"
        ]
    declared = link.spec.stripe.customer_id if link.spec.stripe else None
    if customer.stripe_customer_id is None:
        # A checkout now would create a second Stripe customer beside the declared one.
        raise OnboardingRefused(
            f"{_address(link)} declares Stripe customer {declared} but Konnect has not linked "
            "it yet; run `reconcile apply` first so that the checkout adds a card to it"
        )
    if not force:
        raise OnboardingRefused(
            f"{_address(link)} declares stripe.customer_id rather than `onboarding: checkout`; "
            "a completed checkout would set a new default payment method the manifest does not "
            "name, and the next plan would show it as a change. Pass --force to create the "
            "session anyway"
        )
    return [
        f"{_address(link)} declares its Stripe link: once the checkout completes, set "
        "stripe.default_payment_method_id to the new card, or the next plan shows a change"
    ]


def _link_fix(link: CustomerBilling) -> str:
    if link.spec.onboarding == "checkout":
        return f"send a checkout link first (`reconcile checkout-url DIR {link.name} ...`)"
    return "run `reconcile apply` first to link the declared Stripe customer"


def _address(link: CustomerBilling) -> str:
    return f"{CustomerBilling.KIND}/{link.name}"


def _customer_json(link: CustomerBilling, customer: CustomerLink) -> Document:
    return {"manifest": _address(link), "key": customer.key, "id": customer.id}


__all__ = [
    "REDACTED",
    "CheckoutRequest",
    "CheckoutSession",
    "CheckoutUncertain",
    "OnboardingRefused",
    "PortalSession",
    "PreparedCheckout",
    "create_checkout",
    "create_portal",
    "find_link",
    "prepare_checkout",
    "prepare_portal",
    "profile_name",
    "read_customer",
]
