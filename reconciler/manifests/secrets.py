"""Literal secrets in manifests: found by prefix in every scalar, reported without the value."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reconciler.manifests.loader import Scalar, SourceDocument
from reconciler.manifests.references import Location
from reconciler.manifests.secret_patterns import SECRET, SECRET_PREFIXES, redact


@dataclass(frozen=True)
class LiteralSecret:
    scalar: Scalar
    description: str

    @property
    def loc(self) -> Location:
        return self.scalar.loc

    @property
    def field_name(self) -> str:
        return redact(".".join(str(part) for part in self.scalar.loc)) or "(document)"


def literal_secrets(document: SourceDocument) -> list[LiteralSecret]:
    """The document's literal secrets, each scalar once (an alias repeats its anchor's)."""
    # One search of the scalars joined by a line feed, which no match spans and which ends a
    # word as the start of a text does; the scalars are searched one by one only on a hit.
    if not SECRET.search("\n".join(document.texts)):
        return []
    return list(_each_literal_secret(document))


def _each_literal_secret(document: SourceDocument) -> Iterator[LiteralSecret]:
    seen: set[tuple[int, int]] = set()
    for scalar in document.scalars:
        match = SECRET.search(scalar.text)
        where = (scalar.position.line, scalar.position.column)
        if match and where not in seen:
            seen.add(where)
            yield LiteralSecret(scalar, SECRET_PREFIXES[match.group(1)])
