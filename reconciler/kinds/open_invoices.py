"""Invoices still in flight: what keeps an app from being uninstalled, or a profile deleted.

Konnect refuses to uninstall an app while an invoice that is not final uses it (409, naming
each invoice); a profile's invoices in flight were made from it, and are kept out of reach
of a prune the same way. The plan reads them only when it would delete one of these, once
per kind, with the server-side status filter: a plan that deletes nothing costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.live import Document

# The v3 statuses of the server's non-final states (`IsAppUsed`): drafts and the final
# paid / uncollectible / voided do not count.
IN_FLIGHT = ("issuing", "issued", "payment_processing", "overdue")
SHOWN = 5


@dataclass(frozen=True)
class OpenInvoice:
    id: str
    number: str
    status: str
    customer: str  # the customer's key, else its name
    profile_id: str
    app_ids: frozenset[str]

    @classmethod
    def of(cls, raw: Document) -> OpenInvoice:
        customer = raw.get("customer") or {}
        workflow = raw.get("workflow") or {}
        apps = workflow.get("apps") or {}
        return cls(
            id=str(raw["id"]),
            number=str(raw.get("number") or raw["id"]),
            status=str(raw.get("status")),
            customer=str(customer.get("key") or customer.get("name") or customer.get("id")),
            profile_id=str((workflow.get("source_billing_profile") or {}).get("id")),
            app_ids=frozenset(str(ref.get("id")) for ref in apps.values() if ref),
        )

    def __str__(self) -> str:
        return f"{self.number} ({self.status}, customer {self.customer})"


def open_invoices(konnect: KonnectClient) -> list[OpenInvoice]:
    query = {"filter[status][oeq]": ",".join(IN_FLIGHT)}
    return [OpenInvoice.of(raw) for raw in konnect.list_all(routes.INVOICES, params=query)]


def blocking_invoices(
    konnect: KonnectClient, live_ids: Sequence[str], uses: Callable[[OpenInvoice, str], bool]
) -> dict[str, list[OpenInvoice]]:
    """The invoices in flight that use each of `live_ids`, read once; only ids with some."""
    if not live_ids:
        return {}
    invoices = open_invoices(konnect)
    found = {live_id: [i for i in invoices if uses(i, live_id)] for live_id in live_ids}
    return {live_id: using for live_id, using in found.items() if using}


def named(invoices: Sequence[OpenInvoice]) -> str:
    shown = ", ".join(str(invoice) for invoice in invoices[:SHOWN])
    rest = len(invoices) - SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


UNTIL_FINAL = (
    "wait until they are paid, voided or marked uncollectible (Konnect > Billing > Invoices), "
    "or keep it in the manifests"
)
