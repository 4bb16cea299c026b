"""The store indexes the Konnect lists need to stay fast at tens of thousands of customers."""

from __future__ import annotations

from weakref import WeakSet

from reconciler.sandbox.konnect_api.collection_names import CUSTOMERS, PINNED_PROFILE
from reconciler.sandbox.store import Store

# Lists skip deleted customers and sort by one field; `deleted_at` first serves both. The list
# filtered by a pinned profile (the planner's pin check) sorts by name in the same index.
CUSTOMER_INDEXES = (
    ("deleted_at", "name"),
    ("deleted_at", "created_at"),
    ("deleted_at", "id"),
    ("key", "deleted_at"),
    (PINNED_PROFILE, "deleted_at", "name"),
)
_INDEXED: WeakSet[Store] = WeakSet()


def ensure_indexes(store: Store) -> None:
    if store in _INDEXED:
        return
    for fields in CUSTOMER_INDEXES:
        store.ensure_index(CUSTOMERS, *fields)
    _INDEXED.add(store)
