"""A customer link as read: the customer from the list, its billing GET when read, and what
the plan knows of its pin, as typed fields beside the customer object Konnect returned, which
stays as it was read (nothing of reconcile's own is written into it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.live import VOLATILE_FIELDS, Desired, Document, Live
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE

ADDRESS_TYPE = "customer_billing"
# Customer fields a manifest may leave out; then they are the API's, not ours to compare.
OPTIONAL_FIELDS = ("name", "description", "primary_email", "currency", "billing_address")
# The link's fields that its billing GET shows (and a billing PUT writes).
BILLING_FIELDS = ("billing_profile", "stripe")


class Pinning(Enum):
    """Whether the customer is pinned to the profile that bills it, or follows the default."""

    NOT_ASKED = "not asked"
    # Konnect refused the filter that tells a pin to the default from following it.
    UNKNOWN = "unknown"
    PINNED = "pinned"
    FOLLOWING = "following"


@dataclass(frozen=True)
class Billing:
    """A customer's billing GET: the profile that bills it (pinned or the default) and the
    Stripe ids Konnect links to it."""

    document: Document  # as read: what a write's precondition compares
    profile_id: str | None
    stripe: Document

    @classmethod
    def of(cls, document: Document | None) -> Billing:
        document = document or {}
        profile: str | None = (document.get("billing_profile") or {}).get("id")
        stripe = (document.get("app_data") or {}).get("stripe") or {}
        return cls(document=document, profile_id=profile, stripe=stripe)

    @property
    def stripe_customer_id(self) -> str | None:
        customer_id: str | None = self.stripe.get("customer_id")
        return customer_id

    @property
    def payment_method_id(self) -> str | None:
        payment_method_id: str | None = self.stripe.get("default_payment_method_id")
        return payment_method_id

    def stripe_ids(self) -> Document:
        """The linked Stripe ids as a manifest declares them (labels are never stored)."""
        return {k: v for k, v in self.stripe.items() if k != "labels"}


@dataclass(frozen=True)
class CustomerLink(Live):
    """A Konnect customer (`raw`, as listed) and what reconcile read or knows of its billing."""

    billing: Billing | None = None  # None: its billing was not read
    pinning: Pinning = Pinning.NOT_ASKED
    # Its billing was left unread on the strength of its applied-digest label.
    trusted: bool = False

    @classmethod
    def listed(
        cls,
        customer: Document,
        billing: Billing | None = None,
        pinning: Pinning = Pinning.NOT_ASKED,
        *,
        trusted: bool = False,
    ) -> CustomerLink:
        base = Live.of(customer, "key")
        return cls(
            id=base.id,
            key=base.key,
            owned=base.owned,
            raw=customer,
            billing=billing,
            pinning=pinning,
            trusted=trusted,
        )

    @property
    def profile_id(self) -> str | None:
        """The profile that bills the customer today; None when unread or none."""
        return self.billing.profile_id if self.billing is not None else None

    @property
    def stripe_customer_id(self) -> str | None:
        return self.billing.stripe_customer_id if self.billing is not None else None

    @property
    def stripe(self) -> Document:
        """The Stripe ids Konnect links to the customer; empty when unread or none."""
        return self.billing.stripe if self.billing is not None else {}

    def observed(self) -> Document:
        """What must be unchanged for a planned write to go ahead: the customer and its
        Stripe link. The effective profile is derived: it moves when the default moves,
        which the same apply may do."""
        observed = {k: v for k, v in self.raw.items() if k not in VOLATILE_FIELDS}
        if self.billing is not None:
            document = self.billing.document
            observed["billing"] = {k: v for k, v in document.items() if k != "billing_profile"}
        return observed


def as_link(live: Live) -> CustomerLink:
    """The live object as a customer link; one made elsewhere has its billing unread."""
    if isinstance(live, CustomerLink):
        return live
    return CustomerLink(id=live.id, key=live.key, owned=live.owned, raw=live.raw)


def link_of(live: Live | None) -> CustomerLink | None:
    return None if live is None else as_link(live)


def subject_keys(raw: Document) -> list[str] | None:
    """A customer's event subjects, in one order: a set to Konnect, whatever order it keeps."""
    keys = (raw.get("usage_attribution") or {}).get("subject_keys")
    return sorted(keys) if keys is not None else None


def live_default(world: World) -> Live | None:
    """The profile Konnect bills customers through when they are pinned to none."""
    return next((p for p in world.live.get(PROFILE, []) if p.raw.get("default")), None)


def live_profile(world: World, profile_id: str | None) -> Live | None:
    return next((p for p in world.live.get(PROFILE, []) if p.id == profile_id), None)


def profile_document(desired: Desired, world: World) -> Document:
    """The desired document of the profile the link names, if any."""
    name = desired.document.get("billing_profile")
    if name is None:
        return {}
    profile = world.desired_of(Address(type=PROFILE, name=name))
    return profile.document if profile else {}


def app_of(desired: Desired, world: World) -> str:
    """The Stripe app (manifest name) whose account holds the link's Stripe customer."""
    return str(profile_document(desired, world).get("app", ""))
