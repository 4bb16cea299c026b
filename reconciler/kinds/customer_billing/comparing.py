"""What is compared for a customer link: the desired document a manifest declares, the live
document as read, and the desired one as compared, with what the manifest leaves to the API
taken from the live side.
"""

from __future__ import annotations

from functools import lru_cache

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.live import Desired, Document, compact, owned_labels, user_labels
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.customer_billing.applied_label import NOT_READ, not_read
from reconciler.kinds.customer_billing.live import (
    ADDRESS_TYPE,
    BILLING_FIELDS,
    OPTIONAL_FIELDS,
    CustomerLink,
    Pinning,
    subject_keys,
)
from reconciler.manifests import CustomerBilling


def live_link_document(live: CustomerLink, world: World) -> Document:
    raw = live.raw
    # Labels are accepted on write, never stored by Konnect.
    stripe = live.billing.stripe_ids() if live.billing is not None else {}
    profile = world.name_of(PROFILE, live.profile_id)
    if profile is not None and live.pinning is Pinning.FOLLOWING:
        profile += " (as the default, not pinned)"
    if live.trusted:
        profile, stripe = NOT_READ, {NOT_READ: NOT_READ}
    return compact(
        {
            "customer": {
                **{field: raw.get(field) for field in OPTIONAL_FIELDS},
                "subject_keys": subject_keys(raw),
                "labels": user_labels(raw.get("labels")),
            },
            "billing_profile": profile,
            "stripe": stripe or None,
        }
    )


def comparable_link(desired: Desired, live_document: Document) -> Document:
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
    # Following a default no manifest names (default_profile: unmanaged): Konnect's own.
    follows_unnamed = "billing_profile" in desired.advisory and "billing_profile" not in document
    if follows_unnamed and "billing_profile" in live_document:
        document["billing_profile"] = live_document["billing_profile"]
    for field in BILLING_FIELDS:
        if not_read(live_document.get(field)):
            document[field] = live_document[field]  # --refresh=false: applied as declared
    return document


def desired_link(link: CustomerBilling, profile: str | None) -> Desired:
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
    return Desired(
        address=Address(type=ADDRESS_TYPE, name=link.name),
        key=customer.key,
        document=document,
        depends_on=_on_profile(profile) if profile else frozenset(),
        # Following the default is not a pin, and v3 cannot unpin: `findings` warns instead.
        advisory=frozenset() if spec.billing_profile else frozenset({"billing_profile"}),
    )


@lru_cache(maxsize=64)
def _on_profile(profile: str) -> frozenset[Address]:
    """What a link billed through `profile` depends on: one set for all of them, thousands
    in a large project, rather than a set and an address each."""
    return frozenset({Address(type=PROFILE, name=profile)})
