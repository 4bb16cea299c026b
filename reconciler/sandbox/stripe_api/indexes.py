"""The store index the Stripe lists need to stay fast at tens of thousands of customers."""

from __future__ import annotations

from weakref import WeakSet

from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api.documents import OWNER
from reconciler.sandbox.stripe_api.world import CUSTOMERS

_INDEXED: WeakSet[Store] = WeakSet()


def ensure_indexes(store: Store) -> None:
    """Every list is one account's documents of a collection, newest first from a cursor. An
    index on (collection, owner) ends in the document's seq, so it serves the filter, the
    order and the cursor for every collection, not only the customers it is named after."""
    if store in _INDEXED:
        return
    store.ensure_index(CUSTOMERS, OWNER)
    _INDEXED.add(store)
