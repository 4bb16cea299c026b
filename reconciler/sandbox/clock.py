"""Time as both APIs render it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def rfc3339_now() -> str:
    """UTC with millisecond precision, e.g. `2026-01-01T01:01:01.001Z` (Konnect)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def unix_now() -> int:
    """Whole seconds since the epoch (Stripe's `created`)."""
    return int(time.time())
