"""A customer's tax details: its tax ids (`/v1/customers/{customer}/tax_ids`, routed with the
customers) and the
includable `tax` and `tax_ids` fields, which Stripe renders only when expanded
(`expand[]=tax` on a customer, `expand[]=data.tax` on the list).

`tax.automatic_tax` as Stripe Tax judges the customer's location, simplified: no country, or a
US or Canadian address without a postal code, is `unrecognized_location`; any other address
is `supported` while the account's Stripe Tax is active, and `not_collecting` while it is not.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.clock import unix_now
from reconciler.sandbox.ids import stripe_id
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.accounts import get_tax_settings
from reconciler.sandbox.stripe_api.errors import invalid_param

TAX_IDS = "_tax_ids"  # on the stored customer: its tax ids, rendered only when asked for
# The tax id types the sandbox knows, with the country each implies (Stripe knows ~100).
TAX_ID_TYPES = {
    "eu_vat": None,
    "gb_vat": "GB",
    "us_ein": "US",
    "ca_bn": "CA",
    "au_abn": "AU",
    "ch_vat": "CH",
    "no_vat": "NO",
}
POSTAL_CODE_NEEDED = ("US", "CA")


def add_tax_id(store: Store, customer: Document, kind: str, value: str) -> Document:
    if kind not in TAX_ID_TYPES:
        raise invalid_param("type", f"Invalid value for type: {kind}")
    if not value.strip():
        raise invalid_param("value", "Invalid value for tax id.", code="tax_id_invalid")
    tax_id = {
        "id": stripe_id("txi", 24),
        "object": "tax_id",
        "country": TAX_ID_TYPES[kind] or value[:2].upper(),
        "created": unix_now(),
        "customer": customer["id"],
        "livemode": customer.get("livemode", False),
        "type": kind,
        "value": value,
        "verification": {"status": "unverified", "verified_address": None, "verified_name": None},
    }
    stored = store.get(world.CUSTOMERS, customer["id"]) or customer
    stored[TAX_IDS] = [*stored.get(TAX_IDS, []), tax_id]
    store.put(world.CUSTOMERS, customer["id"], stored)
    return tax_id


def tax_ids_of(store: Store, account_id: str, customer_id: str) -> Document:
    stored = world.owned(store, world.CUSTOMERS, account_id, customer_id) or {}
    return {
        "object": "list",
        "data": list(stored.get(TAX_IDS, [])),
        "has_more": False,
        "url": f"/v1/customers/{customer_id}/tax_ids",
    }


def tax_of(store: Store, account_id: str, customer: Document) -> Document:
    """The customer's `tax` hash: where Stripe Tax places it, and whether it can tax there."""
    address: dict[str, Any] = customer.get("address") or {}
    country = address.get("country")
    recognised = bool(country) and (
        country not in POSTAL_CODE_NEEDED or bool(address.get("postal_code"))
    )
    if not recognised:
        status, location = "unrecognized_location", None
    else:
        active = get_tax_settings(store, account_id).get("status") == "active"
        status = "supported" if active else "not_collecting"
        location = {"country": country, "source": "billing_address", "state": address.get("state")}
    return {"automatic_tax": status, "ip_address": None, "location": location}
