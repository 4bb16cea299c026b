"""Reading customer links in bulk: the customer list at the largest page size, then one
billing GET per customer that needs it (the API has no bulk read for billing), with bounded
concurrency, and which customers on the default profile are pinned to it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from reconciler.clients import routes
from reconciler.clients.errors import BadRequest
from reconciler.core.kind import Sources
from reconciler.core.live import Document
from reconciler.core.read_pool import ReadPool
from reconciler.kinds.customer_billing.live import Billing, CustomerLink, Pinning


def read_links(
    sources: Sources, billed: Callable[[Document], bool], *, pins: bool
) -> list[CustomerLink]:
    """Every customer, with the billing GET of those `billed` selects."""
    customers: list[Document] = []
    billings: dict[str, Future[Document]] = {}
    with ReadPool(sources.concurrency, "reconcile-billing") as pool:
        pinning = pool.submit(_pins, sources) if pins else None
        # The first page tells how many there are; the others are read in the same pool, and
        # billing reads start as soon as the page naming the customer arrives.
        for page in sources.konnect.pages(routes.CUSTOMERS, submit=pool.submit):
            for customer in page:
                if customer.get("deleted_at"):
                    continue
                customers.append(customer)
                if billed(customer):
                    path = {"customerId": customer["id"]}
                    billings[customer["id"]] = pool.submit(
                        sources.konnect.get, routes.CUSTOMER_BILLING, path=path
                    )
        pinned = pinning.result() if pinning is not None else None
        return [_link(customer, billings.get(customer["id"]), pinned) for customer in customers]


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

    def pinning(self, customer_id: str, effective_id: str | None) -> Pinning:
        if effective_id != self.default_id:
            return Pinning.PINNED
        if not self.known:
            return Pinning.UNKNOWN
        return Pinning.PINNED if customer_id in self.pinned_to_default else Pinning.FOLLOWING


def _pins(sources: Sources) -> _Pins:
    # Runs in the read pool, beside the billing GETs. Its pages are fetched by the client,
    # in a pool of the client's own: waiting on pages queued behind itself in the read pool
    # would hang a pool of one reader.
    profiles = sources.list_all(routes.PROFILES)  # the list the profiles' own read gets
    default_id = next((p["id"] for p in profiles if p.get("default")), None)
    if default_id is None:
        return _Pins(None, frozenset())
    query = {"filter[billing_profile_id]": default_id}
    try:
        pinned = sources.konnect.list_all(routes.CUSTOMERS, params=query)
        return _Pins(default_id, frozenset(customer["id"] for customer in pinned))
    except BadRequest:
        # The filter's semantics are not documented; `findings` says what the plan assumed.
        return _Pins(default_id, frozenset(), known=False)


def _link(customer: Document, billing: Future[Document] | None, pins: _Pins | None) -> CustomerLink:
    if billing is None:
        return CustomerLink.listed(customer)
    read = Billing.of(billing.result())
    pinning = Pinning.NOT_ASKED if pins is None else pins.pinning(customer["id"], read.profile_id)
    return CustomerLink.listed(customer, read, pinning)
