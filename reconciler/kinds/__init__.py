"""One package per kind, behind the protocol in `core.kind`; `table` is the one kind table.

The table's order is the order kinds are shown and, through their dependencies, applied:
Stripe app, tax codes, organization defaults, billing profiles, customer links.
"""

from __future__ import annotations

from reconciler.core.kind import Resource
from reconciler.kinds.table import KIND_ADDRESS_TYPES, KIND_TABLE, RESOURCES, Kind

__all__ = ["KIND_ADDRESS_TYPES", "KIND_TABLE", "RESOURCES", "Kind", "Resource"]
