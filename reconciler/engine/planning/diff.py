"""Field-by-field comparison of two normalised documents.

Both sides must already be normalised by the resource module (defaults filled in, durations
in one spelling, server-set fields dropped); this module only walks the structures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.actions import FieldChange
from reconciler.core.live import is_mapping

_MISSING = object()


def diff_fields(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    sensitive: frozenset[str] = frozenset(),
    immutable: frozenset[str] = frozenset(),
) -> tuple[FieldChange, ...]:
    """Changes from `before` (live) to `after` (desired), as dotted paths in sorted order.

    Mappings are compared key by key (also one present on a side only); lists and scalars
    as whole values. A path listed in
    `sensitive` (or under one) is reported without values; one in `immutable` forces
    replacement.
    """
    changes: list[FieldChange] = []
    _walk(before, after, "", changes)
    return tuple(_mark(change, sensitive, immutable) for change in changes)


def _walk(before: Any, after: Any, path: str, changes: list[FieldChange]) -> None:
    # A mapping that appears or disappears as a whole is shown field by field.
    if before is _MISSING and is_mapping(after) and after:
        before = {}
    if after is _MISSING and is_mapping(before) and before:
        after = {}
    if is_mapping(before) and is_mapping(after):
        # Most documents are as declared: equal mappings hold no change, told in one
        # comparison rather than field by field. (The walk compares the same values with the
        # same operator; only a value unequal to itself, NaN, which no JSON API sends, could
        # tell the two apart.)
        if before == after:
            return
        for key in sorted(set(before) | set(after), key=str):
            child = f"{path}.{key}" if path else str(key)
            _walk(before.get(key, _MISSING), after.get(key, _MISSING), child, changes)
        return
    if before != after:
        changes.append(
            FieldChange(
                path=path,
                before=None if before is _MISSING else before,
                after=None if after is _MISSING else after,
            )
        )


def _mark(change: FieldChange, sensitive: frozenset[str], immutable: frozenset[str]) -> FieldChange:
    secret = _under_any(change.path, sensitive)
    return change.model_copy(
        update={
            "sensitive": secret,
            "before": None if secret else change.before,
            "after": None if secret else change.after,
            "forces_replacement": _under_any(change.path, immutable),
        }
    )


def _under_any(path: str, prefixes: frozenset[str]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)
