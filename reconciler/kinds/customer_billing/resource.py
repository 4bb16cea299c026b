"""CustomerBilling: a Konnect customer, its billing profile and its Stripe customer.

Read in bulk (`reading`): the customer list, then one billing GET per declared customer. The
billing GET shows the effective profile, pinned or fallen back to the default; where that
matters the plan says which it assumed (`pins`, `moves`). Konnect never checks the Stripe
ids, so the checks here do (`stripe_checks`, `checkout_state`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reconciler.clients import routes
from reconciler.clients.errors import BadRequest
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import Desired, Document, Live, OutOfBand
from reconciler.core.plan import Finding, MovedLink, Notice
from reconciler.core.stripe_facts import StripeAccounts, StripeFacts, StripeUnavailable
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.billing_profile import collection_method, tax_enabled, tax_enforced
from reconciler.kinds.creation import create_once
from reconciler.kinds.customer_billing.applied_label import (
    applied_as,
    applied_digest,
    label_rewrite,
    needs_relabel,
)
from reconciler.kinds.customer_billing.checkout_state import (
    awaiting_checkout,
    completed_checkout,
    read_checkout_customers,
)
from reconciler.kinds.customer_billing.comparing import (
    comparable_link,
    desired_link,
    live_link_document,
)
from reconciler.kinds.customer_billing.export import export_links
from reconciler.kinds.customer_billing.invoice_email import (
    email_mismatch,
    invoice_email_notice,
    stripe_email,
)
from reconciler.kinds.customer_billing.live import (
    ADDRESS_TYPE,
    BILLING_FIELDS,
    CustomerLink,
    Pinning,
    app_of,
    as_link,
    link_of,
    live_default,
)
from reconciler.kinds.customer_billing.moves import (
    Destination,
    concerning,
    destination,
    following_unmanaged_default,
    moved_link,
    moves,
    undeclared_followers,
)
from reconciler.kinds.customer_billing.pins import (
    pin_drift,
    pin_finding,
    undeclared_pins,
    unknown_pins,
)
from reconciler.kinds.customer_billing.reading import read_links
from reconciler.kinds.customer_billing.stripe_checks import (
    DECLARED,
    ONBOARDED,
    Remedies,
    stripe_findings,
    tax_details,
)
from reconciler.kinds.customer_billing.writing import (
    fetch_link,
    find_customer,
    post_customer,
    put_adopted,
    put_billing,
    put_customer,
)
from reconciler.manifests import BillingProfile, CustomerBilling


class CustomerBillingResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (PROFILE,)
    # Konnect has no unpinning and deleting a customer loses its usage: never pruned.
    deletable = False
    # Customers come from sign-up flows and CRMs; a link exists to bill them, so it takes over
    # the customer it names without being told to.
    adoption = Adoption.IMPLICIT
    adoption_note = "adopts existing customer: adds the label managed-by: reconcile"
    # A customer's key is unique: a create of a key taken is answered 409.
    create_refused_when_present = True

    def desired(self, context: DesiredContext) -> list[Desired]:
        default = next(
            (p.name for p in context.manifests.of_kind(BillingProfile) if p.spec.default), None
        )
        return [
            desired_link(link, link.spec.billing_profile or default)
            for link in context.manifests.of_kind(CustomerBilling)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _read_declared(sources, desired, refresh=True)

    def read_trusting_applied(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _read_declared(sources, desired, refresh=False)

    def read_for_export(self, sources: Sources) -> list[Live]:
        return list(read_links(sources, lambda customer: True, pins=True))

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        if not world.refresh:
            return  # the links taken as applied go unchecked: `stripe_checks` reads the rest
        declared: dict[str, set[str]] = {}
        onboarding: dict[str, int] = {}
        for desired in world.desired_list(self):
            app = app_of(desired, world)
            link = desired.document.get("stripe")
            if link:
                declared.setdefault(app, set()).add(link["customer_id"])
            else:
                # Its Stripe customer is known once Konnect's billing is read, and checked.
                onboarding[app] = onboarding.get(app, 0) + 1
        for app in declared.keys() | onboarding.keys():
            facts = stripe.of(app)
            if facts is not None:
                facts.read_customers(declared.get(app, set()), expected=onboarding.get(app, 0))

    def live_document(self, live: Live, world: World) -> Document:
        return live_link_document(as_link(live), world)

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        return comparable_link(desired, live_document)

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        """The profile the customer is pinned to. One that follows the default moves with it,
        and the default is never deleted: that is no reference to wait for."""
        link = as_link(live)
        if link.billing is None:
            return frozenset()
        effective = link.profile_id
        default = live_default(world)
        pinning = link.pinning
        on_default = default is not None and effective == default.id
        if pinning is Pinning.FOLLOWING or (
            pinning in (Pinning.UNKNOWN, Pinning.NOT_ASKED) and on_default
        ):
            return frozenset()
        profile = world.address_by_id(PROFILE, effective)
        return frozenset() if profile is None else frozenset({profile})

    def referring_to(
        self, target: Address, target_live: Live, sources: Sources, world: World
    ) -> frozenset[Address]:
        # Only declared customers' billing is read: ask Konnect who else is pinned.
        query = {"filter[billing_profile_id]": target_live.id}
        try:
            pinned = sources.konnect.list_all(routes.CUSTOMERS, params=query)
        except BadRequest:
            # Konnect refuses the filter: only the declared customers are known.
            pinned = []
        others = {
            world.address_of(ADDRESS_TYPE, Live.of(customer, "key"))
            for customer in pinned
            if not customer.get("deleted_at")
        }
        return super().referring_to(target, target_live, sources, world) | others

    def refine(self, action: Action, world: World) -> Action:
        desired = world.desired_of(action.address)
        live = link_of(world.live_of(action.address))
        if desired and "billing_profile" in desired.advisory and action.releases:
            # A link left on the default never unpins (v3 cannot): it keeps its profile.
            kept = self.live_references(live, world) if live else frozenset()
            action = action.model_copy(update={"releases": action.releases - kept})
        if (
            action.type is ActionType.NOOP
            and desired
            and live
            and needs_relabel(desired, live, world)
        ):
            return label_rewrite(action, self.observe(live))
        if (
            action.type is ActionType.CREATE
            and desired
            and "name" not in desired.document["customer"]
        ):
            return action.model_copy(
                update={
                    "type": ActionType.BLOCKED,
                    "reasons": (
                        f"Konnect has no customer with key {desired.key!r}, and the manifest "
                        "gives no spec.customer.name to create it with",
                    ),
                }
            )
        return action

    def findings(self, world: World) -> list[Finding]:
        links = world.desired_list(self)
        pins = [pin_finding(pin) for pin in undeclared_pins(world, links)]
        findings = pins + unknown_pins(world, links) + awaiting_checkout(world)
        return findings + undeclared_followers(world, links)

    def moved_links(self, world: World, actions: Sequence[Action]) -> list[MovedLink]:
        planned = {action.address: action for action in actions}
        return [
            moved
            for desired in world.desired_list(self)
            if (moved := moved_link(desired, world, planned)) is not None
        ]

    def out_of_band(self, world: World) -> list[OutOfBand]:
        # Drift, though apply cannot undo it: the customer is billed, or will be after a
        # change of default, through a profile its manifest does not name.
        return [pin_drift(pin) for pin in undeclared_pins(world, world.desired_list(self))]

    def changed_at(self, live: Live, paths: Sequence[str]) -> str | None:
        # `updated_at` is the customer's; its billing link (profile, Stripe ids) has none.
        if all(path.startswith("customer.") for path in paths):
            return super().changed_at(live, paths)
        return None

    def stripe_checks(self, world: World) -> list[Finding]:
        if world.stripe is None:
            return []
        read_checkout_customers(world, world.stripe)
        checks = list(_stripe_checks(world, world.stripe, world.desired_list(self)))
        if not world.refresh:
            # Not prefetched: only now is it known which links are checked (those read).
            _read_checked_customers(checks)
        findings: list[Finding] = []
        for check in checks:
            found = stripe_findings(
                check.desired.address,
                check.facts,
                customer_id=check.customer_id,
                payment_method_id=check.stripe.get("default_payment_method_id"),
                collection_method=collection_method(check.profile),
                tax_enforced=tax_enforced(check.profile),
                tax_enabled=tax_enabled(check.profile),
                remedies=check.remedies,
            )
            mismatch = _invoice_email_mismatch(check)
            findings += concerning(found + ([mismatch] if mismatch else []), check.billed)
        return findings

    def notices(self, world: World) -> list[Notice]:
        notices = following_unmanaged_default(world, world.desired_list(self))
        # The links `check` read from Stripe: with refresh off, a vouched link is not read.
        checks = (
            _stripe_checks(world, world.stripe, world.desired_list(self)) if world.stripe else ()
        )
        for linked in checks:
            tax = _tax_notice(linked)
            if tax is not None:
                notices.append(tax)
            email = _invoice_email(linked)
            if email is not None:
                concerns = frozenset({linked.billed.profile}) if linked.billed else frozenset()
                notices.append(
                    invoice_email_notice(
                        linked.desired.address, linked.customer_id, email, concerns
                    )
                )
        return notices

    def observe(self, live: Live) -> Document:
        return as_link(live).observed()

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_link(konnect, as_link(live))

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return find_customer(konnect, desired.key)

    def create(self, desired: Desired, writer: Writer) -> str:
        linked = bool(desired.document.get("stripe"))
        # The applied digest vouches for the billing link, so it is written only once that
        # is: a run killed in between leaves a customer without it, which plan reads.
        applied = None if linked else applied_digest(desired)
        customer_id = create_once(
            lambda: post_customer(desired, writer, applied=applied),
            lambda: self.find(writer.konnect, desired),
        )
        if linked:
            put_billing(customer_id, desired, desired.document, writer)
            put_customer(customer_id, desired.document["customer"], desired, writer)
        return customer_id

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        before = self.live_document(live, writer.world)
        after = self.comparable(desired, before)
        # As planned: a field left to the API (the profile a link follows) is not written.
        after.update({k: before[k] for k in desired.advisory if k in before})
        if any(after.get(f) != before.get(f) for f in BILLING_FIELDS) and after.get("stripe"):
            put_billing(live.id, desired, after, writer)
        # Last, so that the applied digest is written only once everything else was.
        put_customer(live.id, after["customer"], desired, writer)
        return live.id

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        put_adopted(as_link(live), konnect)

    def export(self, context: ExportContext) -> None:
        export_links(context)


@dataclass(frozen=True)
class _StripeCheck:
    """A link to check against Stripe: its ids there, and the account and profile that bill it."""

    desired: Desired
    stripe: Document
    facts: StripeFacts
    billed: Destination | None

    @property
    def customer_id(self) -> str:
        return str(self.stripe["customer_id"])

    @property
    def profile(self) -> Document:
        """The facts of the profile that bills the link once applied; empty when none."""
        return self.billed.facts if self.billed else {}

    @property
    def remedies(self) -> Remedies:
        return DECLARED if self.desired.document.get("stripe") else ONBOARDED


def _stripe_checks(
    world: World, accounts: StripeAccounts, links: Sequence[Desired]
) -> Iterator[_StripeCheck]:
    for desired in links:
        live = world.live_of(desired.address)
        if not world.refresh and _taken_as_applied(desired, live, world):
            continue
        # The profile it is billed through once applied: a change of default moves it.
        billed = destination(desired, world)
        profile = billed.facts if billed else {}
        facts = accounts.of(profile.get("app"))
        # A checkout link is checked against what Konnect linked once the card is saved.
        stripe = desired.document.get("stripe") or completed_checkout(live, facts)
        if stripe and facts is not None:
            yield _StripeCheck(desired, stripe, facts, billed)


def _taken_as_applied(desired: Desired, live: Live | None, world: World) -> bool:
    """A link `--refresh=false` left unread, which the plan bills as it was applied: its
    Stripe customer was checked by that apply, and is not read again (one that moves to
    another profile, collection method or app is checked as it will be billed)."""
    link = link_of(live)
    return link is not None and link.trusted and not moves(desired, world)


def _read_checked_customers(checks: Sequence[_StripeCheck]) -> None:
    """The Stripe customers of the links checked, per account: few by GET, many by listing."""
    by_account: dict[StripeFacts, set[str]] = {}
    for check in checks:
        by_account.setdefault(check.facts, set()).add(check.stripe["customer_id"])
    for facts, customer_ids in by_account.items():
        facts.read_customers(customer_ids)


def _read_declared(sources: Sources, desired: Sequence[Desired], *, refresh: bool) -> list[Live]:
    declared = {d.key: d for d in desired}

    def billed(customer: Document) -> bool:
        link = declared.get(customer.get("key", ""))
        if link is None:
            return False
        # Konnect itself edits a checkout link's billing when the checkout completes, so
        # the applied-digest label cannot vouch for it.
        onboarding = "stripe" not in link.document
        return refresh or onboarding or not applied_as(customer, link)

    # Which links are pinned matters for those read (a pin to the default that a link does
    # not declare outlives a change of default); with refresh off, few are read.
    pins = refresh and bool(desired)
    return [
        CustomerLink.listed(link.raw, trusted=True)
        if link.key in declared and link.billing is None
        else link
        for link in read_links(sources, billed, pins=pins)
    ]


def _tax_notice(linked: _StripeCheck) -> Notice | None:
    """For a profile that enforces tax: where Stripe Tax places the customer, its tax ids."""
    if not tax_enforced(linked.profile):
        return None
    try:
        details = tax_details(linked.facts.customer(linked.customer_id))
    except StripeUnavailable:
        return None  # the link's checks report the failed read
    if details is None:
        return None
    concerns = frozenset({linked.billed.profile}) if linked.billed else frozenset()
    return Notice(
        address=linked.desired.address,
        message=f"Stripe Tax places Stripe customer {linked.customer_id} {details}",
        concerns=concerns,
    )


def _invoice_email(linked: _StripeCheck) -> str | None:
    """The email Stripe sends the link's invoices to; None unless its profile sends them."""
    if collection_method(linked.profile) != "send_invoice":
        return None
    return stripe_email(linked.facts, linked.customer_id)


def _invoice_email_mismatch(linked: _StripeCheck) -> Finding | None:
    email = _invoice_email(linked)
    if email is None:
        return None
    primary = linked.desired.document["customer"].get("primary_email")
    return email_mismatch(linked.desired.address, linked.customer_id, email, primary)
