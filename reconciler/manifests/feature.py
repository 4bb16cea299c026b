"""`Feature`: what a plan's rate cards sell, metered by a `Meter` or not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import Field

from reconciler.manifests.common import Description, ManifestName, Name, ResourceKey, StrictModel
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import ReferenceField, UniqueValue


class FeatureSpec(StrictModel):
    key: ResourceKey = Field(
        description="Konnect feature key; a rate card selling the feature has the same key."
    )
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    meter: ManifestName | None = Field(
        default=None,
        description="The `Meter` (by metadata.name) whose usage this feature sells; "
        "omit for a feature sold at a flat price.",
    )


class Feature(Manifest):
    """A feature. Konnect cannot change a feature: any change to one replaces it."""

    KIND: ClassVar[str] = "Feature"
    SCHEMA_FILE: ClassVar[str] = "feature.json"
    REFERENCE_FIELDS: ClassVar[tuple[ReferenceField, ...]] = (
        ReferenceField("Meter", ("spec", "meter")),
    )

    kind: Literal["Feature"]
    spec: FeatureSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("feature key", self.spec.key, ("spec", "key"))
