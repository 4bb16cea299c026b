"""What a literal secret looks like, and how to keep one out of any text we print."""

from __future__ import annotations

import re

# Prefix -> what it is. Enough characters must follow that a prose mention of a prefix passes.
SECRET_PREFIXES = {
    "sk_live_": "a live Stripe secret key",
    "sk_test_": "a test Stripe secret key",
    "rk_live_": "a live Stripe restricted key",
    "rk_test_": "a test Stripe restricted key",
    "whsec_": "a Stripe webhook signing secret",
}
SECRET = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, SECRET_PREFIXES)) + r")[A-Za-z0-9]{8,}"
)


def redact(text: str) -> str:
    """`text` with every secret-looking token cut to its prefix.

    Diagnostics quote names and keys from the manifest; a secret typed where a key or name
    belongs must not travel on through them.
    """
    return SECRET.sub(lambda match: f"{match.group(1)}<redacted>", text)
