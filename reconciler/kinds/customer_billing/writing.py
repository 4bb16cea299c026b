"""Writing a customer link: the customer (created by key, updated whole) and its billing
link, the applied-digest label last, so that it vouches only for what was written.
"""

from __future__ import annotations

from reconciler.clients import routes
from reconciler.clients.answers import OBJECT_WITH_ID
from reconciler.clients.errors import Gone, NotFound
from reconciler.clients.konnect import PAGE, KonnectClient
from reconciler.core.actions import Address
from reconciler.core.kind import Writer
from reconciler.core.live import (
    APPLIED_LABEL,
    Desired,
    Document,
    compact,
    owned_labels,
    user_labels,
)
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.customer_billing.applied_label import applied_digest
from reconciler.kinds.customer_billing.live import OPTIONAL_FIELDS, Billing, CustomerLink
from reconciler.manifests import CustomerBilling


def fetch_link(konnect: KonnectClient, live: CustomerLink) -> CustomerLink | None:
    """The link as it is now, read as the plan read it; None when the customer is gone."""
    path = {"customerId": live.id}
    try:
        customer = konnect.get(routes.CUSTOMER, path=path, expect=OBJECT_WITH_ID)
        if customer.get("deleted_at"):
            return None
        if live.trusted:
            # Read again as the plan read it (--refresh=false): its billing is unread.
            return CustomerLink.listed(customer, trusted=True)
        billing = konnect.get(routes.CUSTOMER_BILLING, path=path)
    except (NotFound, Gone):
        return None
    return CustomerLink.listed(customer, Billing.of(billing))


def find_customer(konnect: KonnectClient, key: str) -> CustomerLink | None:
    """The live customer with this key, if there is one."""
    query = {"filter[key]": key}
    page = konnect.request("GET", routes.CUSTOMERS, params=query, expect=PAGE)
    found = [c for c in page.get("data") or [] if not c.get("deleted_at")]
    return CustomerLink.listed(found[0]) if found else None


def post_customer(desired: Desired, writer: Writer, *, applied: str | None) -> str:
    body = {"key": desired.key, **_customer_body(desired.document["customer"], applied=applied)}
    customer_id: str = writer.konnect.post(routes.CUSTOMERS, body)["id"]
    return customer_id


def put_customer(customer_id: str, customer: Document, desired: Desired, writer: Writer) -> None:
    """The customer with the applied-digest label: the last write of a link."""
    body = _customer_body(customer, applied=applied_digest(desired))
    writer.konnect.put(routes.CUSTOMER, body, path={"customerId": customer_id})


def put_billing(customer_id: str, desired: Desired, document: Document, writer: Writer) -> None:
    """Link the Stripe customer; pin the profile only when the manifest names one, since
    v3 cannot unpin and a pin to today's default would outlive a later default switch."""
    body: Document = {"app_data": {"stripe": document["stripe"]}}
    link = writer.world.manifests.get(CustomerBilling, desired.address.name)
    if link is not None and link.spec.billing_profile:
        profile = Address(type=PROFILE, name=link.spec.billing_profile)
        body["billing_profile"] = {"id": writer.id_of(profile)}
    writer.konnect.put(routes.CUSTOMER_BILLING, body, path={"customerId": customer_id})


def put_adopted(live: CustomerLink, konnect: KonnectClient) -> None:
    """The customer as read, with reconcile's label added."""
    raw = live.raw
    customer = {field: raw.get(field) for field in OPTIONAL_FIELDS}
    customer["labels"] = owned_labels(user_labels(raw.get("labels")))
    customer["usage_attribution"] = raw.get("usage_attribution")
    konnect.put(routes.CUSTOMER, compact(customer), path={"customerId": live.id})


def _customer_body(customer: Document, *, applied: str | None = None) -> Document:
    """The customer as Konnect takes it (the key is immutable and sent on create only)."""
    fields = {k: v for k, v in customer.items() if k != "subject_keys"}
    subject_keys = customer.get("subject_keys")
    if subject_keys is not None:
        fields["usage_attribution"] = {"subject_keys": subject_keys}
    if applied is not None:
        fields["labels"] = {**customer.get("labels", {}), APPLIED_LABEL: applied}
    return fields
