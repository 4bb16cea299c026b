"""CustomerBilling: a Konnect customer, its billing profile and its Stripe customer.

Read in bulk: the customer list at the largest page size, then one billing GET per declared
customer (the API has no bulk read for it), with bounded concurrency. The billing GET shows
the effective profile, pinned or fallen back to the default; where that matters the plan
says which it assumed. Konnect never checks the Stripe ids, so the checks here do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from reconciler.clients.answers import OBJECT_WITH_ID
from reconciler.clients.errors import BadRequest, Gone, NotFound
from reconciler.clients.konnect import PAGE, KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.fingerprint import digest_value
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import (
    APPLIED_LABEL,
    Desired,
    Document,
    Live,
    OutOfBand,
    compact,
    owned_labels,
    user_labels,
)
from reconciler.core.observation import observation
from reconciler.core.plan import BilledThrough, Finding, MovedLink, Severity
from reconciler.core.read_pool import ReadPool
from reconciler.core.stripe_facts import StripeAccounts, StripeFacts, StripeUnavailable
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.billing_profile import (
    changes_app,
    collection_method,
    declared_default,
    payment_app_id,
    tax_enforced,
)
from reconciler.kinds.creation import create_once
from reconciler.kinds.customer_checks import (
    DECLARED,
    ONBOARDED,
    customer_gone,
    stripe_findings,
)
from reconciler.kinds.stripe_app import ADDRESS_TYPE as STRIPE_APP
from reconciler.manifests import BillingProfile, CustomerBilling

ADDRESS_TYPE = "customer_billing"
KIND = "CustomerBilling"
CUSTOMERS_ROUTE = "/openmeter/customers"
CUSTOMER_ROUTE = "/openmeter/customers/{customerId}"
BILLING_ROUTE = "/openmeter/customers/{customerId}/billing"
BILLING = "billing"  # where the billing GET is kept on the live customer
# Also kept on the live customer: whether it is pinned to its profile (None: not known, since
# Konnect refused the filter that tells; absent: not asked).
PINNED = "pinned"
# ... and whether its billing was left unread on the strength of its applied-digest label.
TRUSTED = "trusted"
NOT_READ = "(not read: --refresh=false)"
# The link's fields that its billing GET shows (and a billing PUT writes).
BILLING_FIELDS = ("billing_profile", "stripe")
PROFILES_ROUTE = "/openmeter/profiles"
SEND_CHECKOUT = (
    "send the customer a checkout link (reconcile checkout-url{pinning}); the card is saved when "
    "they complete it"
)
# Customer fields a manifest may leave out; then they are the API's, not ours to compare.
OPTIONAL_FIELDS = ("name", "description", "primary_email", "currency", "billing_address")


class CustomerBillingResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (PROFILE,)
    # Konnect has no unpinning and deleting a customer loses its usage: never pruned.
    deletable = False
    # Customers come from sign-up flows and CRMs; a link exists to bill them, so it takes over
    # the customer it names without being told to.
    adoption = Adoption.IMPLICIT
    adoption_note = "adopts existing customer: adds the label managed-by: reconcile"

    def desired(self, context: DesiredContext) -> list[Desired]:
        default = next(
            (p.name for p in context.manifests.of_kind(BillingProfile) if p.spec.default), None
        )
        return [
            _desired(link, link.spec.billing_profile or default)
            for link in context.manifests.of_kind(CustomerBilling)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _read_declared(sources, desired, refresh=True)

    def read_trusting_applied(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _read_declared(sources, desired, refresh=False)

    def read_for_export(self, sources: Sources) -> list[Live]:
        return _read(sources, lambda customer: True, pins=True)

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        declared: dict[str, set[str]] = {}
        onboarding: dict[str, int] = {}
        for desired in world.desired_list(self):
            app = _app_of(desired, world)
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
        raw = live.raw
        billing = raw.get(BILLING) or {}
        stripe = ((billing.get("app_data") or {}).get("stripe") or {}).copy()
        stripe.pop("labels", None)  # accepted on write, never stored by Konnect
        profile_id = (billing.get("billing_profile") or {}).get("id")
        profile = world.name_of(PROFILE, profile_id)
        if profile is not None and raw.get(PINNED) is False:
            profile += " (as the default, not pinned)"
        if raw.get(TRUSTED):
            profile, stripe = NOT_READ, {NOT_READ: NOT_READ}
        return compact(
            {
                "customer": {
                    **{field: raw.get(field) for field in OPTIONAL_FIELDS},
                    "subject_keys": _subject_keys(raw),
                    "labels": user_labels(raw.get("labels")),
                },
                "billing_profile": profile,
                "stripe": stripe or None,
            }
        )

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        document = dict(desired.document)
        live_customer = live_document.get("customer", {})
        customer = dict(document["customer"])
        for field in (*OPTIONAL_FIELDS, "subject_keys"):
            if field not in customer and field in live_customer:
                customer[field] = live_customer[field]
        document["customer"] = customer
        if "stripe" not in document:
            if "stripe" in live_document:
                document["stripe"] = live_document["stripe"]  # onboarding: checkout links it
            elif "billing_profile" in live_document:
                # Konnect takes a Stripe profile's billing only with a Stripe customer: the
                # pin waits for the checkout (`findings` says so), it is no change to plan.
                document["billing_profile"] = live_document["billing_profile"]
        for field in BILLING_FIELDS:
            if _not_read(live_document.get(field)):
                document[field] = live_document[field]  # --refresh=false: applied as declared
        return document

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        """The profile the customer is pinned to. One that follows the default moves with it,
        and the default is never deleted: that is no reference to wait for."""
        billing = live.raw.get(BILLING)
        if billing is None:
            return frozenset()
        effective = (billing.get("billing_profile") or {}).get("id")
        default = next((p for p in world.live.get(PROFILE, []) if p.raw.get("default")), None)
        pinned = live.raw.get(PINNED)
        if pinned is False or (pinned is None and default is not None and effective == default.id):
            return frozenset()
        profile = world.address_by_id(PROFILE, effective)
        return frozenset() if profile is None else frozenset({profile})

    def referring_to(
        self, target: Address, target_live: Live, sources: Sources, world: World
    ) -> frozenset[Address]:
        # Only declared customers' billing is read: ask Konnect who else is pinned.
        query = {"filter[billing_profile_id]": target_live.id}
        try:
            pinned = sources.konnect.list_all(CUSTOMERS_ROUTE, params=query)
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
        live = world.live_of(action.address)
        if desired and "billing_profile" in desired.advisory and action.releases:
            # A link left on the default never unpins (v3 cannot): it keeps its profile.
            kept = self.live_references(live, world) if live else frozenset()
            action = action.model_copy(update={"releases": action.releases - kept})
        if action.type is ActionType.NOOP and desired and live and _relabel(desired, live, world):
            return _label_rewrite(action, self.observe(live))
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
        pins = [_pin_finding(pin) for pin in _undeclared_pins(world, self)]
        findings = pins + _unknown_pins(world, self) + _awaiting_checkout(world)
        return findings + _undeclared_followers(world, self)

    def moved_links(self, world: World, actions: Sequence[Action]) -> list[MovedLink]:
        planned = {action.address: action for action in actions}
        return [
            moved
            for desired in world.desired_list(self)
            if (moved := _moved_link(desired, world, planned)) is not None
        ]

    def out_of_band(self, world: World) -> list[OutOfBand]:
        # Drift, though apply cannot undo it: the customer is billed, or will be after a
        # change of default, through a profile its manifest does not name.
        return [_pin_drift(pin) for pin in _undeclared_pins(world, self)]

    def changed_at(self, live: Live, paths: Sequence[str]) -> str | None:
        # `updated_at` is the customer's; its billing link (profile, Stripe ids) has none.
        if all(path.startswith("customer.") for path in paths):
            return super().changed_at(live, paths)
        return None

    def stripe_checks(self, world: World) -> list[Finding]:
        if world.stripe is None:
            return []
        _read_checkout_customers(world, world.stripe)
        findings: list[Finding] = []
        for desired in world.desired_list(self):
            # The profile it is billed through once applied: a change of default moves it.
            destination = _destination(desired, world)
            profile = destination.facts if destination else {}
            facts = world.stripe.of(profile.get("app"))
            declared = desired.document.get("stripe")
            remedies = DECLARED if declared else ONBOARDED
            # A checkout link is checked against what Konnect linked once the card is saved.
            stripe = declared or _completed_checkout(world.live_of(desired.address), facts)
            if not stripe or facts is None:
                continue
            found = stripe_findings(
                desired.address,
                facts,
                customer_id=stripe["customer_id"],
                payment_method_id=stripe.get("default_payment_method_id"),
                collection_method=collection_method(profile),
                tax_enforced=tax_enforced(profile),
                remedies=remedies,
            )
            findings += _concerning(found, destination)
        return findings

    def observe(self, live: Live) -> Document:
        # The effective profile is derived: it moves when the default moves, which the same
        # apply may do. The customer and its Stripe link are what a concurrent edit changes.
        observed = {k: v for k, v in super().observe(live).items() if k not in (PINNED, TRUSTED)}
        billing = observed.get(BILLING)
        if billing is not None:
            observed[BILLING] = {k: v for k, v in billing.items() if k != "billing_profile"}
        return observed

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        path = {"customerId": live.id}
        try:
            customer = konnect.get(CUSTOMER_ROUTE, path=path, expect=OBJECT_WITH_ID)
            if customer.get("deleted_at"):
                return None
            if live.raw.get(TRUSTED):
                # Read again as the plan read it (--refresh=false): its billing is unread.
                return _trusted(Live.of(customer, "key"))
            billing = konnect.get(BILLING_ROUTE, path=path)
        except (NotFound, Gone):
            return None
        return Live.of(customer, "key", {**customer, BILLING: billing})

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        query = {"filter[key]": desired.key}
        page = konnect.request("GET", CUSTOMERS_ROUTE, params=query, expect=PAGE)
        found = [c for c in page.get("data") or [] if not c.get("deleted_at")]
        return Live.of(found[0], "key") if found else None

    def create(self, desired: Desired, writer: Writer) -> str:
        customer = desired.document["customer"]
        linked = bool(desired.document.get("stripe"))
        # The applied digest vouches for the billing link, so it is written only once that
        # is: a run killed in between leaves a customer without it, which plan reads.
        applied = None if linked else applied_digest(desired)
        body = {"key": desired.key, **_customer_body(customer, applied=applied)}

        def post() -> str:
            customer_id: str = writer.konnect.post(CUSTOMERS_ROUTE, body)["id"]
            return customer_id

        customer_id = create_once(post, lambda: self.find(writer.konnect, desired))
        if linked:
            _put_billing(customer_id, desired, desired.document, writer)
            _put_customer(customer_id, customer, desired, writer)
        return customer_id

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        before = self.live_document(live, writer.world)
        after = self.comparable(desired, before)
        # As planned: a field left to the API (the profile a link follows) is not written.
        after.update({k: before[k] for k in desired.advisory if k in before})
        if any(after.get(f) != before.get(f) for f in BILLING_FIELDS) and after.get("stripe"):
            _put_billing(live.id, desired, after, writer)
        # Last, so that the applied digest is written only once everything else was.
        _put_customer(live.id, after["customer"], desired, writer)
        return live.id

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        raw = live.raw
        customer = {field: raw.get(field) for field in OPTIONAL_FIELDS}
        customer["labels"] = owned_labels(user_labels(raw.get("labels")))
        customer["usage_attribution"] = raw.get("usage_attribution")
        konnect.put(CUSTOMER_ROUTE, compact(customer), path={"customerId": live.id})

    def export(self, context: ExportContext) -> None:
        customers = context.live_of(ADDRESS_TYPE)
        names = context.name_all(ADDRESS_TYPE, [(c, c.key) for c in customers])
        for customer in sorted(customers, key=lambda live: names[live.id]):
            exportable, profile = _exported_profile(customer, context)
            if exportable:
                name = names[customer.id]
                spec = _exported_link(customer, profile)
                document = manifest_document(KIND, name, customer, spec, needs_adoption=False)
                context.add(ADDRESS_TYPE, customer, document)


def _exported_link(live: Live, profile: str | None) -> Document:
    raw = live.raw
    billing = raw.get(BILLING) or {}
    linked = (billing.get("app_data") or {}).get("stripe") or {}
    stripe = {k: v for k, v in linked.items() if k != "labels"}  # labels are never stored
    customer = {
        "key": live.key,
        **{field: raw.get(field) for field in OPTIONAL_FIELDS},
        "subject_keys": _subject_keys(raw) or None,
    }
    spec = {
        "customer": compact(customer),
        "billing_profile": profile,
        "stripe": compact(stripe) or None,
        # No Stripe customer linked yet: Konnect creates one through Stripe Checkout.
        "onboarding": None if stripe else "checkout",
    }
    return compact(spec)


def _exported_profile(live: Live, context: ExportContext) -> tuple[bool, str | None]:
    """Whether the link can be exported, and the profile it pins (None: follows the default).

    When the pins cannot be told apart, a customer on the default is taken to follow it.
    """
    billing = live.raw.get(BILLING) or {}
    profile_id = (billing.get("billing_profile") or {}).get("id")
    if profile_id is None:
        return True, None
    name = context.name_of(PROFILE, profile_id)
    if name is None:
        context.skip(ADDRESS_TYPE, live.key, "its billing profile was not exported")
        return False, None
    pinned = live.raw.get(PINNED)
    if pinned is None:
        default = next((p for p in context.live_of(PROFILE) if p.raw.get("default")), None)
        pinned = default is None or default.id != profile_id
    return True, name if pinned else None


def _subject_keys(raw: Document) -> list[str] | None:
    """A customer's event subjects, in one order: a set to Konnect, whatever order it keeps."""
    keys = (raw.get("usage_attribution") or {}).get("subject_keys")
    return sorted(keys) if keys is not None else None


def _customer_body(customer: Document, *, applied: str | None = None) -> Document:
    """The customer as Konnect takes it (the key is immutable and sent on create only)."""
    fields = {k: v for k, v in customer.items() if k != "subject_keys"}
    subject_keys = customer.get("subject_keys")
    if subject_keys is not None:
        fields["usage_attribution"] = {"subject_keys": subject_keys}
    if applied is not None:
        fields["labels"] = {**customer.get("labels", {}), APPLIED_LABEL: applied}
    return fields


def applied_digest(desired: Desired) -> str:
    """What the applied-digest label holds, as a label value can: the billing link as apply
    writes it, which is what `plan --refresh=false` leaves unread on its strength.

    The customer's own fields are left out (the customer list shows them on every plan), and
    so is the profile of a link that follows the default (no pin is written): a link keeps
    its label when the default changes, or when its manifest takes up what Konnect shows.
    """
    written = {
        field: desired.document[field]
        for field in BILLING_FIELDS
        if field in desired.document and field not in desired.advisory
    }
    return digest_value(written).removeprefix("sha256:")[:32]


def _relabel(desired: Desired, live: Live, world: World) -> bool:
    """Whether the link, read and found as declared, carries the applied-digest label of an
    earlier manifest: its manifest changed in a way Konnect already matched.

    A checkout link is read whatever its label says, and a link without one was never
    applied whole. Nor is a link Konnect keeps pinned where its manifest does not: it is not
    as applied, and trusted, its pin would go unwarned.
    """
    label = (live.raw.get("labels") or {}).get(APPLIED_LABEL)
    if "stripe" not in desired.document or BILLING not in live.raw or label is None:
        return False
    undeclared_pin = "billing_profile" in desired.advisory and _pin_of(desired, world) is not None
    return label != applied_digest(desired) and not undeclared_pin


def _applied_as(customer: Document, desired: Desired) -> bool:
    return (customer.get("labels") or {}).get(APPLIED_LABEL) == applied_digest(desired)


def _label_rewrite(action: Action, observed: Document) -> Action:
    """An update that writes the applied-digest label alone (one customer PUT), so that
    `plan --refresh=false` trusts the link again instead of reading it on every run."""
    reason = (
        "its applied-digest label is out of date: the manifest changed, and Konnect already "
        "matches it; apply rewrites the label alone, so that plan --refresh=false trusts the link"
    )
    return action.model_copy(
        update={
            "type": ActionType.UPDATE,
            "reasons": (*action.reasons, reason),
            "observed": observation(observed),
        }
    )


def _trusted(live: Live) -> Live:
    """A declared customer whose billing was not read: its label says it is as applied."""
    return Live(id=live.id, key=live.key, owned=live.owned, raw={**live.raw, TRUSTED: True})


def _not_read(value: object) -> bool:
    return value == NOT_READ or value == {NOT_READ: NOT_READ}


def _put_customer(customer_id: str, customer: Document, desired: Desired, writer: Writer) -> None:
    """The customer with the applied-digest label: the last write of a link."""
    body = _customer_body(customer, applied=applied_digest(desired))
    writer.konnect.put(CUSTOMER_ROUTE, body, path={"customerId": customer_id})


def _put_billing(customer_id: str, desired: Desired, document: Document, writer: Writer) -> None:
    """Link the Stripe customer; pin the profile only when the manifest names one, since
    v3 cannot unpin and a pin to today's default would outlive a later default switch."""
    body: Document = {"app_data": {"stripe": document["stripe"]}}
    link = writer.world.manifests.get(CustomerBilling, desired.address.name)
    if link is not None and link.spec.billing_profile:
        profile = Address(type=PROFILE, name=link.spec.billing_profile)
        body["billing_profile"] = {"id": writer.id_of(profile)}
    writer.konnect.put(BILLING_ROUTE, body, path={"customerId": customer_id})


def _read_declared(sources: Sources, desired: Sequence[Desired], *, refresh: bool) -> list[Live]:
    declared = {d.key: d for d in desired}

    def billed(customer: Document) -> bool:
        link = declared.get(customer.get("key", ""))
        if link is None:
            return False
        # Konnect itself edits a checkout link's billing when the checkout completes, so
        # the applied-digest label cannot vouch for it.
        onboarding = "stripe" not in link.document
        return refresh or onboarding or not _applied_as(customer, link)

    # Which links are pinned matters for those read (a pin to the default that a link does
    # not declare outlives a change of default); with refresh off, few are read.
    pins = refresh and bool(desired)
    lives = _read(sources, billed, pins=pins)
    return [
        _trusted(live) if live.key in declared and BILLING not in live.raw else live
        for live in lives
    ]


def _read(sources: Sources, billed: Callable[[Document], bool], *, pins: bool) -> list[Live]:
    """Every customer, with the billing GET of those `billed` selects."""
    customers: list[Document] = []
    billings: dict[str, Future[Document]] = {}
    with ReadPool(sources.concurrency, "reconcile-billing") as pool:
        pinning = pool.submit(_pins, sources) if pins else None
        # The first page tells how many there are; the others are read concurrently, and
        # billing reads start as soon as the page naming the customer arrives.
        for page in _customer_pages(sources, pool):
            for customer in page:
                if customer.get("deleted_at"):
                    continue
                customers.append(customer)
                if billed(customer):
                    billings[customer["id"]] = pool.submit(
                        sources.konnect.get, BILLING_ROUTE, path={"customerId": customer["id"]}
                    )
        pinned = pinning.result() if pinning is not None else None
        return [_live(customer, billings.get(customer["id"]), pinned) for customer in customers]


def _customer_pages(
    sources: Sources, pool: ReadPool | None, query: Mapping[str, str] | None = None
) -> Iterator[list[Document]]:
    """The customers, page by page; the pages after the first are read in `pool`, or one
    after another without one."""
    konnect = sources.konnect
    size = konnect.page_size

    def page(number: int) -> Document:
        params = {**(query or {}), "page[size]": size, "page[number]": number}
        result: Document = konnect.request("GET", CUSTOMERS_ROUTE, params=params, expect=PAGE)
        return result

    first = page(1)
    yield first.get("data") or []
    meta = first.get("meta", {}).get("page", {})
    served = int(meta.get("size") or size)
    count = math.ceil(int(meta.get("total", 0)) / served) if served else 1
    numbers = range(2, count + 1)
    if pool is None:
        yield from ((page(number).get("data") or []) for number in numbers)
        return
    for later in [pool.submit(page, number) for number in numbers]:
        yield later.result().get("data") or []


@dataclass(frozen=True)
class _Pins:
    """Which customers billed through the default profile are pinned to it.

    The billing GET shows the effective profile only. A customer on another profile must be
    pinned there; one on the default may be pinned to it or merely follow it, and the
    customer list filtered by the default's id tells which.
    """

    default_id: str | None
    pinned_to_default: frozenset[str]
    # False when Konnect refused the filter: a pin to the default cannot be told then.
    known: bool = True

    def pinned(self, customer_id: str, effective_id: str | None) -> bool | None:
        if effective_id != self.default_id:
            return True
        return customer_id in self.pinned_to_default if self.known else None


def _pins(sources: Sources) -> _Pins:
    # Runs in the read pool, beside the billing GETs: its pages are read one after another,
    # since waiting on pages queued behind itself would hang a pool of one reader.
    profiles = sources.konnect.list_all(PROFILES_ROUTE)
    default_id = next((p["id"] for p in profiles if p.get("default")), None)
    if default_id is None:
        return _Pins(None, frozenset())
    query = {"filter[billing_profile_id]": default_id}
    try:
        pages = _customer_pages(sources, None, query)
        return _Pins(default_id, frozenset(c["id"] for page in pages for c in page))
    except BadRequest:
        # The filter's semantics are not documented; `findings` says what the plan assumed.
        return _Pins(default_id, frozenset(), known=False)


def _live(customer: Document, billing: Future[Document] | None, pins: _Pins | None) -> Live:
    if billing is None:
        return Live.of(customer, "key")
    raw = {**customer, BILLING: billing.result()}
    if pins is not None:
        effective = (raw[BILLING].get("billing_profile") or {}).get("id")
        raw[PINNED] = pins.pinned(customer["id"], effective)
    return Live.of(customer, "key", raw)


def _desired(link: CustomerBilling, profile: str | None) -> Desired:
    spec = link.spec
    customer = spec.customer
    stripe = spec.stripe.model_dump(exclude_none=True) if spec.stripe else None
    document = compact(
        {
            "customer": {
                "name": customer.name,
                "description": customer.description,
                "primary_email": customer.primary_email,
                "currency": customer.currency,
                "billing_address": (
                    customer.billing_address.model_dump(exclude_none=True)
                    if customer.billing_address
                    else None
                ),
                "subject_keys": (
                    sorted(customer.subject_keys) if customer.subject_keys is not None else None
                ),
                "labels": owned_labels(link.metadata.labels),
            },
            "billing_profile": profile,
            "stripe": stripe,
        }
    )
    depends = {Address(type=PROFILE, name=profile)} if profile else set()
    return Desired(
        address=Address(type=ADDRESS_TYPE, name=link.name),
        key=customer.key,
        document=document,
        depends_on=frozenset(depends),
        # Following the default is not a pin, and v3 cannot unpin: `findings` warns instead.
        advisory=frozenset() if spec.billing_profile else frozenset({"billing_profile"}),
    )


def _concerning(findings: list[Finding], destination: _Destination | None) -> list[Finding]:
    """The findings, marked as holding for the profile the link would be billed through (a
    change of default moves a link that follows it)."""
    if destination is None:
        return findings
    profile = frozenset({destination.profile})
    return [f.model_copy(update={"concerns": f.concerns | profile}) for f in findings]


def _profile_document(desired: Desired, world: World) -> Document:
    name = desired.document.get("billing_profile")
    if name is None:
        return {}
    profile = world.desired_of(Address(type=PROFILE, name=name))
    return profile.document if profile else {}


def _app_of(desired: Desired, world: World) -> str:
    """The Stripe app (manifest name) whose account holds the link's Stripe customer."""
    return str(_profile_document(desired, world).get("app", ""))


def _awaiting_checkout(world: World) -> list[Finding]:
    if world.stripe is not None:
        _read_checkout_customers(world, world.stripe)
    findings = []
    for link in world.manifests.of_kind(CustomerBilling):
        if link.spec.onboarding != "checkout":
            continue
        address = Address(type=ADDRESS_TYPE, name=link.name)
        desired = world.desired_of(address)
        facts = None
        if world.stripe is not None and desired is not None:
            facts = world.stripe.of(_app_of(desired, world))
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
    effective = _live_profile(world, _effective_profile_id(live))
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


def _live_profile(world: World, profile_id: str | None) -> Live | None:
    return next((p for p in world.live.get(PROFILE, []) if p.id == profile_id), None)


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


def _completed_checkout(live: Live | None, stripe: StripeFacts | None) -> Document | None:
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
    billing = (live.raw.get(BILLING) or {}) if live else {}
    linked: Document = (billing.get("app_data") or {}).get("stripe") or {}
    return linked


def _read_checkout_customers(world: World, stripe: StripeAccounts) -> None:
    """Read the Stripe customers Konnect linked to onboarding customers, concurrently."""
    by_app: dict[str, set[str]] = {}
    for desired in world.desired.get(ADDRESS_TYPE, []):
        customer_id = _linked_stripe(world.live_of(desired.address)).get("customer_id")
        if not desired.document.get("stripe") and customer_id:
            by_app.setdefault(_app_of(desired, world), set()).add(customer_id)
    for app, customer_ids in by_app.items():
        facts = stripe.of(app)
        if facts is not None:
            facts.retrieve_customers(customer_ids)


@dataclass(frozen=True)
class _Pin:
    """A customer its manifest leaves on the default profile, as Konnect has it pinned."""

    address: Address
    profile: str  # the profile it is pinned to
    to_default: bool  # ... which is the default today
    default: str | None  # the manifest's default profile, which the link means to follow


def _undeclared_pins(world: World, resource: Resource) -> list[_Pin]:
    following = {
        link.name
        for link in world.manifests.of_kind(CustomerBilling)
        if not link.spec.billing_profile
    }
    return [
        pin
        for desired in world.desired_list(resource)
        if desired.address.name in following and (pin := _pin_of(desired, world)) is not None
    ]


def _pin_of(desired: Desired, world: World) -> _Pin | None:
    live = world.live_of(desired.address)
    effective = _effective_profile_id(live)
    if live is None or effective is None:
        return None
    default = _live_default(world)
    to_default = default is not None and effective == default.id
    if to_default and live.raw.get(PINNED) is not True:
        return None  # follows the default, or not known (`_unknown_pins` says so)
    return _Pin(
        address=desired.address,
        profile=str(world.name_of(PROFILE, effective)),
        to_default=to_default,
        default=desired.document.get("billing_profile"),
    )


def _effective_profile_id(live: Live | None) -> str | None:
    billing = (live.raw.get(BILLING) or {}) if live else {}
    profile_id: str | None = (billing.get("billing_profile") or {}).get("id")
    return profile_id


def _live_default(world: World) -> Live | None:
    return next((p for p in world.live[PROFILE] if p.raw.get("default")), None)


def _pin_finding(pin: _Pin) -> Finding:
    if pin.to_default:
        message = (
            f"Konnect has this customer pinned to the default profile {pin.profile}, which the "
            f"manifest leaves it following: after a change of default it would stay on "
            f"{pin.profile}, and the v3 API cannot unpin a customer"
        )
    else:
        message = (
            f"the manifest leaves this customer on the default profile, but Konnect has it "
            f"pinned to {pin.profile}, and the v3 API cannot unpin a customer"
        )
    return Finding(
        address=pin.address, severity=Severity.WARNING, message=message, fix=_pin_fix(pin)
    )


def _pin_drift(pin: _Pin) -> OutOfBand:
    if pin.to_default:
        message = (
            "pinned to the default profile out of band: it would stay there after a change of "
            "default; the v3 API cannot unpin a customer"
        )
    else:
        message = (
            f"pinned to {pin.profile} out of band: it is billed through that profile, not the "
            "default; the v3 API cannot unpin a customer"
        )
    followed = f"{pin.default} " if pin.default else ""
    return OutOfBand(
        address=pin.address,
        path="billing_profile",
        manifest=f"{followed}(as the default, not pinned)",
        live=f"{pin.profile} (pinned)",
        message=message,
        fix=_pin_fix(pin),
    )


def _pin_fix(pin: _Pin) -> str:
    if pin.to_default:
        return f"set spec.billing_profile to {pin.profile} to make the pin explicit"
    default = pin.default or "the default profile's name"
    return (
        f"set spec.billing_profile to {pin.profile} to keep it there, or to {default} to pin "
        "it to the default"
    )


def _unknown_pins(world: World, resource: Resource) -> list[Finding]:
    """Says what the plan assumed of the links on the default when Konnect would not tell
    which customers are pinned to it."""
    default = _live_default(world)
    unknown = [
        desired
        for desired in world.desired_list(resource)
        if (live := world.live_of(desired.address)) is not None
        and PINNED in live.raw
        and live.raw[PINNED] is None
    ]
    if default is None or not unknown:
        return []
    following = sum(1 for d in unknown if "billing_profile" in d.advisory)
    return [
        Finding(
            address=world.address_of(PROFILE, default),
            severity=Severity.WARNING,
            message=f"Konnect refused the customer filter filter[billing_profile_id], so "
            f"customers pinned to this default profile cannot be told from those following "
            f"it: of the {len(unknown)} link(s) on it, the plan takes the {following} that "
            f"name no profile to follow it and the {len(unknown) - following} that name it to "
            "be pinned to it",
            fix="before the default changes, check those customers' pins in Konnect: a pin "
            "the plan does not see is neither written nor warned of",
        )
    ]


@dataclass(frozen=True)
class _Destination:
    """The profile a link is billed through once the plan is applied."""

    profile: Address
    facts: Document  # the profile as the plan leaves it: `app` (manifest name), `workflow`
    live: Live | None  # the profile's live object, which a replacement swaps for a new one
    following: bool  # there as a follower of the default, not pinned
    replaced: bool = False


def _destination(desired: Desired, world: World) -> _Destination | None:
    live = world.live_of(desired.address)
    named = _named_profile(desired)
    # Konnect pins a customer only together with its Stripe customer (a checkout's waits).
    linked = "stripe" in desired.document or bool(_linked_stripe(live).get("customer_id"))
    if named is not None and linked:
        return _declared_destination(Address(type=PROFILE, name=named), world, following=False)
    pinned = _pinned_profile(live, world)
    if pinned is not None:
        address = world.address_of(PROFILE, pinned)
        if world.desired_of(address) is not None:
            return _declared_destination(address, world, following=False)
        facts = {
            "app": world.name_of(STRIPE_APP, payment_app_id(pinned.raw)),
            "workflow": pinned.raw.get("workflow") or {},
        }
        return _Destination(address, facts, pinned, following=False)
    default = declared_default(world)
    return None if default is None else _declared_destination(default, world, following=True)


def _declared_destination(profile: Address, world: World, *, following: bool) -> _Destination:
    desired = world.desired_of(profile)
    facts = desired.document if desired else {}
    live = world.live_of(profile)
    replaced = live is not None and changes_app(facts, live, world)
    return _Destination(profile, facts, live, following=following, replaced=replaced)


def _named_profile(desired: Desired) -> str | None:
    """The profile the link's manifest names; None when it follows the default."""
    if "billing_profile" in desired.advisory:
        return None
    named: str | None = desired.document.get("billing_profile")
    return named


def _pinned_profile(live: Live | None, world: World) -> Live | None:
    """The live profile Konnect keeps the customer pinned to, which no change of default moves
    it off; None when it follows the default (as the plan takes one it cannot tell)."""
    if live is None or live.raw.get(TRUSTED):
        return None  # as applied: apply pins no link that follows the default
    effective = _effective_profile_id(live)
    default = _live_default(world)
    on_default = default is not None and effective == default.id
    pinned = live.raw.get(PINNED)
    if pinned is True or (pinned is not False and not on_default):
        return _live_profile(world, effective)
    return None


def _billed_now(desired: Desired, live: Live, world: World) -> Live | None:
    """The live profile the customer is billed through today."""
    if live.raw.get(TRUSTED):
        # Unread (--refresh=false): as applied, pinned to the profile it names, or following.
        named = _named_profile(desired)
        if named is None:
            return _live_default(world)
        return world.live_of(Address(type=PROFILE, name=named))
    return _live_profile(world, _effective_profile_id(live))


def _moved_link(
    desired: Desired, world: World, planned: Mapping[Address, Action]
) -> MovedLink | None:
    live = world.live_of(desired.address)
    now = _billed_now(desired, live, world) if live is not None else None
    destination = _destination(desired, world)
    if now is None or destination is None:
        return None  # a new link: it moves from nowhere
    before = BilledThrough(
        billing_profile=str(world.name_of(PROFILE, now.id)),
        collection_method=collection_method(now.raw) or None,
    )
    method = collection_method(destination.facts) or None
    stays = destination.live is not None and destination.live.id == now.id
    if stays and not destination.replaced and method == before.collection_method:
        return None
    profile = before.billing_profile if stays else destination.profile.name
    after = BilledThrough(billing_profile=profile, collection_method=method)
    cause, by = _move_cause(desired, destination, before, after, stays=stays)
    return MovedLink(
        address=desired.address,
        before=before,
        after=after,
        cause=cause + _move_notes(desired, before, after, planned.get(by)),
        concerns=frozenset() if by == desired.address else frozenset({destination.profile}),
    )


def _move_notes(
    desired: Desired, before: BilledThrough, after: BilledThrough, cause: Action | None
) -> str:
    """What the reason for a move leaves unsaid: that it waits, or what stops being charged."""
    notes = ""
    if cause is not None and cause.type is ActionType.BLOCKED:
        notes += f"; {cause.address} is blocked, so it moves only once that is resolved"
    card = (desired.document.get("stripe") or {}).get("default_payment_method_id")
    if card and after.collection_method == "send_invoice" != before.collection_method:
        notes += f"; the card it names, {card}, is no longer charged: invoices are sent"
    return notes


def _move_cause(
    desired: Desired,
    destination: _Destination,
    before: BilledThrough,
    after: BilledThrough,
    *,
    stays: bool,
) -> tuple[str, Address]:
    """Why the link moves, and whose planned action moves it."""
    profile = destination.profile
    if not stays:
        profiles = f"{before.billing_profile} -> {after.billing_profile}"
        if destination.following:
            return f"follows the default profile: {profiles}", profile
        return f"its manifest pins it: {profiles}", desired.address
    if destination.replaced:
        return f"{profile.name} is replaced, with another Stripe app", profile
    return f"{profile.name} changes its collection method", profile


def _undeclared_followers(world: World, resource: Resource) -> list[Finding]:
    """What the plan can say of the customers no manifest declares when the default moves:
    their billing is not read (a GET each), so how many there are, not who moves."""
    old = _live_default(world)
    new = declared_default(world)
    if old is None or new is None:
        return []
    destination = _declared_destination(new, world, following=True)
    old_method = collection_method(old.raw) or "unknown"
    new_method = collection_method(destination.facts) or "unknown"
    stays = destination.live is not None and destination.live.id == old.id
    if stays and not destination.replaced and old_method == new_method:
        return []
    declared = {live.id for d in world.desired_list(resource) if (live := world.live_of(d.address))}
    others = sum(1 for live in world.live.get(ADDRESS_TYPE, []) if live.id not in declared)
    if not others:
        return []
    old_name = str(world.name_of(PROFILE, old.id))
    new_name = f"a new {new.name}" if destination.replaced else new.name
    return [
        Finding(
            address=destination.profile,
            severity=Severity.WARNING,
            message=f"{others} Konnect customer(s) are in no manifest, so their billing is not "
            f"read: those that follow the default profile move with it too, from {old_name} "
            f"({old_method}) to {new_name} ({new_method}), unchecked against Stripe",
            fix="declare them as CustomerBilling (`reconcile export` writes their manifests) "
            f"to have them listed and checked; one that must stay on {old_name} needs "
            f"spec.billing_profile: {old_name}",
        )
    ]
