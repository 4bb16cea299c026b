"""Literal secrets in manifests: found by prefix in every scalar, reported without the value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reconciler.manifests.loader import Scalar, SourceDocument
from reconciler.manifests.references import Location

# Prefix -> what it is. Enough characters must follow that a prose mention of a prefix passes.
SECRET_PREFIXES = {
    "sk_live_": "a live Stripe secret key",
    "sk_test_": "a test Stripe secret key",
    "rk_live_": "a live Stripe restricted key",
    "rk_test_": "a test Stripe restricted key",
    "whsec_": "a Stripe webhook signing secret",
}
_SECRET = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, SECRET_PREFIXES)) + r")[A-Za-z0-9]{8,}"
)


@dataclass(frozen=True)
class LiteralSecret:
    scalar: Scalar
    description: str

    @property
    def loc(self) -> Location:
        return self.scalar.loc

    @property
    def field_name(self) -> str:
        return ".".join(str(part) for part in self.scalar.loc) or "(document)"


def literal_secrets(document: SourceDocument) -> Iterator[LiteralSecret]:
    seen: set[tuple[int, int]] = set()
    for scalar in document.scalars:
        match = _SECRET.search(scalar.text)
        where = (scalar.position.line, scalar.position.column)
        if match and where not in seen:
            seen.add(where)
            yield LiteralSecret(scalar, SECRET_PREFIXES[match.group(1)])
