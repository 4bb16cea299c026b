"""Stripe's list envelope and cursor pagination: newest first, `limit` 1..100, `has_more`."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.endpoint import StripeCall
from reconciler.sandbox.stripe_api.errors import (
    StripeError,
    invalid_param,
    resource_missing,
    unknown_param,
)
from reconciler.sandbox.stripe_api.params import integer, string

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
PAGING_PARAMS = ("limit", "starting_after", "ending_before")
_RANGE_OPS: dict[str, Callable[[int, int], bool]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def envelope(url: str, data: list[Document], has_more: bool) -> Document:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def list_objects(
    call: StripeCall,
    collection: str,
    where: Mapping[str, Any],
    *,
    url: str,
    kind: str,
    keep: Callable[[Document], bool] | None = None,
) -> Document:
    """One page of the account's documents in `collection` matching `where`, newest first.

    `keep` filters further in Python, for conditions the store cannot express (ranges); the
    store then reads every candidate past the cursor, so it is for the rarer queries.
    """
    limit = integer(call.params, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    after, before = _cursors(call.params)
    scope = {world.OWNER: call.account_id, **where}
    wanted = None if keep is not None else limit + 1
    if before is not None:
        above = _cursor_seq(call, collection, before, "ending_before", kind)
        found = _kept(call.store.find(collection, scope, seq_above=above, limit=wanted), keep)
        page = list(reversed(found[:limit]))
    else:
        below = (
            None if after is None else _cursor_seq(call, collection, after, "starting_after", kind)
        )
        found = _kept(
            call.store.find(collection, scope, descending=True, seq_below=below, limit=wanted),
            keep,
        )
        page = found[:limit]
    data = [world.public(doc) for doc in page]
    return call.expanded(envelope(url, data, len(found) > limit))


def _kept(docs: list[Document], keep: Callable[[Document], bool] | None) -> list[Document]:
    return docs if keep is None else [doc for doc in docs if keep(doc)]


def created_filter(params: dict[str, Any]) -> Callable[[Document], bool] | None:
    """`created[gt]=...` and friends (or `created=<exact>`), as a test on `created`."""
    given = params.get("created")
    if given is None:
        return None
    bounds = {"eq": given} if isinstance(given, str) else given
    if not isinstance(bounds, dict):
        raise invalid_param("created", "Invalid created: must be an integer or a hash.")
    limits: list[tuple[Callable[[int, int], bool], int]] = []
    for op, raw in bounds.items():
        param = "created" if op == "eq" else f"created[{op}]"
        if op not in _RANGE_OPS:
            raise unknown_param(param)
        if not isinstance(raw, str) or not raw.isdigit():
            raise invalid_param(param, f"Invalid integer: {raw}", code="parameter_invalid_integer")
        limits.append((_RANGE_OPS[op], int(raw)))
    return lambda doc: all(compare(doc.get("created", 0), bound) for compare, bound in limits)


def list_static(call: StripeCall, items: Sequence[Document], *, url: str, kind: str) -> Document:
    """A page of a fixed catalogue, in catalogue order."""
    limit = integer(call.params, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    after, before = _cursors(call.params)
    ids = [item["id"] for item in items]
    if before is not None:
        end = _index_of(ids, before, "ending_before", kind)
        start = max(0, end - limit)
        return envelope(url, [dict(item) for item in items[start:end]], start > 0)
    start = 0 if after is None else _index_of(ids, after, "starting_after", kind) + 1
    page = items[start : start + limit]
    return envelope(url, [dict(item) for item in page], start + limit < len(items))


def _cursors(params: dict[str, Any]) -> tuple[str | None, str | None]:
    after = string(params, "starting_after") or None
    before = string(params, "ending_before") or None
    if after is not None and before is not None:
        raise StripeError(
            400,
            "You may only specify one of these parameters: ending_before, starting_after.",
            param="starting_after",
        )
    return after, before


def _cursor_seq(call: StripeCall, collection: str, object_id: str, param: str, kind: str) -> int:
    seq = None
    if world.owned(call.store, collection, call.account_id, object_id) is not None:
        seq = call.store.seq_of(collection, object_id)
    if seq is None:
        raise resource_missing(kind, object_id, param)
    return seq


def _index_of(ids: list[str], object_id: str, param: str, kind: str) -> int:
    try:
        return ids.index(object_id)
    except ValueError:
        raise resource_missing(kind, object_id, param) from None
