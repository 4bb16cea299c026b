"""Identifiers in the formats the emulated APIs hand out."""

from __future__ import annotations

import os
import re
import secrets
import string
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_BASE62 = string.digits + string.ascii_letters


def new_ulid() -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(text: str) -> bool:
    return bool(ULID_PATTERN.match(text))


def stripe_id(prefix: str, length: int = 24) -> str:
    """A Stripe-style object id such as `cus_...` or `pm_...`."""
    return prefix + "_" + "".join(secrets.choice(_BASE62) for _ in range(length))
