"""Export of customer links: each as a person would declare it, with the profile it pins (none
when it follows the default) and its Stripe ids, or `onboarding: checkout` without them."""

from __future__ import annotations

from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.live import Document, compact
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.customer_billing.live import (
    ADDRESS_TYPE,
    OPTIONAL_FIELDS,
    CustomerLink,
    Pinning,
    as_link,
    subject_keys,
)
from reconciler.manifests import CustomerBilling


def export_links(context: ExportContext) -> None:
    customers = context.live_of(ADDRESS_TYPE)
    names = context.name_all(ADDRESS_TYPE, [(c, c.key) for c in customers])
    for customer in sorted(customers, key=lambda live: names[live.id]):
        link = as_link(customer)
        exportable, profile = _exported_profile(link, context)
        if exportable:
            name = names[customer.id]
            spec = _exported_link(link, profile)
            document = manifest_document(
                CustomerBilling.KIND, name, customer, spec, needs_adoption=False
            )
            context.add(ADDRESS_TYPE, customer, document)


def _exported_link(live: CustomerLink, profile: str | None) -> Document:
    raw = live.raw
    stripe = live.billing.stripe_ids() if live.billing is not None else {}
    customer = {
        "key": live.key,
        **{field: raw.get(field) for field in OPTIONAL_FIELDS},
        "subject_keys": subject_keys(raw) or None,
    }
    spec = {
        "customer": compact(customer),
        "billing_profile": profile,
        "stripe": compact(stripe) or None,
        # No Stripe customer linked yet: Konnect creates one through Stripe Checkout.
        "onboarding": None if stripe else "checkout",
    }
    return compact(spec)


def _exported_profile(live: CustomerLink, context: ExportContext) -> tuple[bool, str | None]:
    """Whether the link can be exported, and the profile it pins (None: follows the default).

    When the pins cannot be told apart, a customer on the default is taken to follow it.
    """
    profile_id = live.profile_id
    if profile_id is None:
        return True, None
    name = context.name_of(PROFILE, profile_id)
    if name is None:
        context.skip(ADDRESS_TYPE, live.key, "its billing profile was not exported")
        return False, None
    if live.pinning in (Pinning.UNKNOWN, Pinning.NOT_ASKED):
        default = next((p for p in context.live_of(PROFILE) if p.raw.get("default")), None)
        pinned = default is None or default.id != profile_id
    else:
        pinned = live.pinning is Pinning.PINNED
    return True, name if pinned else None
