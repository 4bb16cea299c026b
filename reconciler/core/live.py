"""What the kinds and the engine exchange about single objects: the desired documents the
manifests declare, the live objects as read, the drift no write can undo, and the labels that
say which live objects reconcile owns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.clients.answers import OBJECT_WITH_ID
from reconciler.clients.errors import Gone, NotFound
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Address

Document = dict[str, Any]

# The label that marks what reconcile created: only such resources may ever be pruned.
MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "reconcile"
SYSTEM_LABEL_PREFIX = "openmeter_"
# Written by apply on what it reads one by one (customer links): a digest of the manifest as
# applied, so that `plan --refresh=false` may skip reading what has not changed since.
APPLIED_LABEL = "reconcile-applied"
# Fields every write changes; an object is "still as read" when all else is equal.
VOLATILE_FIELDS = frozenset({"updated_at"})


@dataclass(frozen=True)
class Desired:
    """One resource the manifests declare, as a normalised document."""

    address: Address
    key: str  # what identifies the live object: a tax code key, a profile name, ...
    document: Document
    depends_on: frozenset[Address] = frozenset()
    # Top-level fields shown when the object is created but left to the API afterwards
    # (e.g. a customer's effective profile when the manifest pins none).
    advisory: frozenset[str] = frozenset()
    # The manifest allows taking over a live object with this key that reconcile did not create.
    adopt: bool = False


@dataclass(frozen=True)
class Live:
    """One live object, as read; `key` is matched against `Desired.key`."""

    id: str
    key: str
    owned: bool
    raw: Document

    @classmethod
    def of(cls, obj: Document, key_field: str, raw: Document | None = None) -> Live:
        """A Konnect object matched on `key_field`; owned when it carries reconcile's label."""
        return cls(
            id=obj["id"],
            key=obj[key_field],
            owned=is_owned(obj.get("labels")),
            raw=obj if raw is None else raw,
        )


@dataclass(frozen=True)
class OutOfBand:
    """A live value that differs from the manifest's and that apply cannot bring back, because
    the API offers no way to (the plan warns of it instead of planning a change)."""

    address: Address
    path: str
    manifest: Any
    live: Any
    message: str
    fix: str


def fetch_live(
    konnect: KonnectClient, route: str, path: Mapping[str, str], key_field: str
) -> Live | None:
    """The object at `route` as it is now, matched on `key_field`; None when it is gone."""
    try:
        found = konnect.get(route, path=path, expect=OBJECT_WITH_ID)
    except (NotFound, Gone):
        return None
    return None if found.get("deleted_at") else Live.of(found, key_field)


def few(addresses: Sequence[Address], shown: int = 5) -> str:
    """The first names of a list, and how many more there are."""
    names = ", ".join(a.name for a in addresses[:shown])
    rest = len(addresses) - shown
    return f"{names} and {rest} more" if rest > 0 else names


def user_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    """Labels as the user sees them: system `openmeter_*` labels are the server's, and the
    applied-digest label is reconcile's bookkeeping; neither is the manifest's."""
    return {
        k: v
        for k, v in (labels or {}).items()
        if not k.startswith(SYSTEM_LABEL_PREFIX) and k != APPLIED_LABEL
    }


def owned_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    """The labels reconcile writes: the manifest's, plus the ownership mark."""
    return {**(labels or {}), MANAGED_BY_KEY: MANAGED_BY_VALUE}


def is_owned(labels: Mapping[str, str] | None) -> bool:
    return (labels or {}).get(MANAGED_BY_KEY) == MANAGED_BY_VALUE


def compact(document: Mapping[str, Any]) -> Document:
    """The document without unset (None) fields, recursively, so absent equals unset."""
    result: Document = {}
    for key, value in document.items():
        if is_mapping(value):
            value = compact(value)
        if value is not None:
            result[key] = value
    return result


def is_mapping(value: Any) -> bool:
    """`isinstance(value, Mapping)`, with a dict or a value of a plain type told without
    asking the Mapping ABC, which is slower than all the rest of `compact` or of a diff's
    walk, each asking it for every value."""
    if isinstance(value, dict):
        return True
    return not isinstance(value, _PLAIN) and isinstance(value, Mapping)


_PLAIN = (str, int, float, list, tuple, type(None))
