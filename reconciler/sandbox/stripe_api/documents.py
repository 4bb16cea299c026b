"""What every Stripe-side document shares: an owning account and a public shape."""

from __future__ import annotations

from reconciler.sandbox.store import Document, Store

OWNER = "_account"
"""The account a document belongs to; fields starting with `_` never leave the sandbox."""


def public(doc: Document) -> Document:
    """The document as the API renders it: without the sandbox's `_` bookkeeping fields."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def owned(store: Store, collection: str, account_id: str, object_id: str) -> Document | None:
    """The stored document if it belongs to the account: other accounts' objects do not exist."""
    doc = store.get(collection, object_id)
    if doc is None or doc.get(OWNER) != account_id:
        return None
    return doc
