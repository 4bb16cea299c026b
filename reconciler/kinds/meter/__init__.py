"""Meter: how Konnect aggregates usage events, matched by key."""

from __future__ import annotations

from reconciler.kinds.meter.resource import ADDRESS_TYPE, MeterResource

__all__ = ["ADDRESS_TYPE", "MeterResource"]
