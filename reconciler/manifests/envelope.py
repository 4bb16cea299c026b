"""The envelope every manifest shares: apiVersion, kind, metadata and the rule hooks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar, Literal

from pydantic import Field

from reconciler.manifests.common import API_VERSION, Metadata, StrictModel
from reconciler.manifests.references import Finding, Reference, ReferenceField, UniqueValue


class Manifest(StrictModel):
    """Base of every kind. Subclasses add `kind` (a literal) and `spec`."""

    KIND: ClassVar[str]
    SCHEMA_FILE: ClassVar[str]
    # Declared as data so that references are checked even in documents that fail validation.
    REFERENCE_FIELDS: ClassVar[tuple[ReferenceField, ...]] = ()

    api_version: Literal["reconcile.konghq.dev/v1"] = Field(
        alias="apiVersion", description=f"Always `{API_VERSION}`."
    )
    metadata: Metadata

    @property
    def name(self) -> str:
        return self.metadata.name

    def references(self) -> Iterator[Reference]:
        """Other documents this one names; each must exist."""
        for field in self.REFERENCE_FIELDS:
            name = field.value_in(self)
            if name is not None:
                yield Reference(field.kind, name, field.loc)

    def unique_values(self) -> Iterator[UniqueValue]:
        """Values no other document may declare in the same scope."""
        return iter(())

    @classmethod
    def collection_findings(cls, documents: Sequence[Manifest]) -> Iterator[Finding]:
        """Rules over all documents of this kind together (e.g. one default profile)."""
        return iter(())
