"""What every JSON document reconcile prints carries: its `format_version`.

A new key keeps a document's version; removing, renaming or retyping a key, or a new value of
an enum, bumps it: a reader that knows version N can rely on every key it knows.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field


def format_version_field(version: int) -> Any:
    """A document's `format_version`: `version`, the only value its schema allows."""
    return Field(
        version,
        json_schema_extra={"const": version},
        description="Bumped only by a breaking change of this document.",
    )
