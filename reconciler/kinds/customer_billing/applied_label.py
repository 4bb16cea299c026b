"""The applied-digest label: apply writes it on a customer last, a digest of its billing link
as written, so that `plan --refresh=false` may leave unread a link whose label matches its
manifest (see `core.live.APPLIED_LABEL`).
"""

from __future__ import annotations

from reconciler.core.actions import Action, ActionType
from reconciler.core.fingerprint import digest_value
from reconciler.core.kind import World
from reconciler.core.live import APPLIED_LABEL, Desired, Document
from reconciler.core.observation import observation
from reconciler.kinds.customer_billing.live import BILLING_FIELDS, CustomerLink
from reconciler.kinds.customer_billing.pins import pin_of

# What the plan shows for the billing of a link left unread on the strength of its label.
NOT_READ = "(not read: --refresh=false)"


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


def applied_as(customer: Document, desired: Desired) -> bool:
    """Whether the customer's label says its link was applied as `desired` declares it."""
    return (customer.get("labels") or {}).get(APPLIED_LABEL) == applied_digest(desired)


def needs_relabel(desired: Desired, live: CustomerLink, world: World) -> bool:
    """Whether the link, read and found as declared, carries the applied-digest label of an
    earlier manifest: its manifest changed in a way Konnect already matched.

    A checkout link is read whatever its label says, and a link without one was never
    applied whole. Nor is a link Konnect keeps pinned where its manifest does not: it is not
    as applied, and trusted, its pin would go unwarned.
    """
    label = (live.raw.get("labels") or {}).get(APPLIED_LABEL)
    if "stripe" not in desired.document or live.billing is None or label is None:
        return False
    undeclared_pin = "billing_profile" in desired.advisory and pin_of(desired, world) is not None
    return label != applied_digest(desired) and not undeclared_pin


def label_rewrite(action: Action, observed: Document) -> Action:
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


def not_read(value: object) -> bool:
    return value == NOT_READ or value == {NOT_READ: NOT_READ}
