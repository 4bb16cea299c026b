"""What a document points at or claims: the raw material of the cross-document rules.

Kind modules describe their own references and unique values with these types; the rules in
`rules.py` stay generic and never ask which kind they are looking at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class ReferenceField:
    """Where a kind names another document: the field at `loc` holds a `kind`'s metadata.name."""

    kind: str
    loc: Location

    def value_in(self, document: Any) -> str | None:
        """The name at `loc` in raw YAML data or in a model; None when absent or not text."""
        value = document
        for part in self.loc:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(part, str):
                value = getattr(value, part, None)
            else:
                return None
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Reference:
    """A field at `loc` naming another document of `kind` by its metadata.name."""

    kind: str
    name: str
    loc: Location


@dataclass(frozen=True)
class UniqueValue:
    """A value that at most one document may declare within `scope` (e.g. customer keys)."""

    scope: str
    value: str
    loc: Location


@dataclass(frozen=True)
class Finding:
    """A problem found by a kind's rule over all of its documents, at `loc` in `document`."""

    document_index: int
    loc: Location
    code: str
    message: str
