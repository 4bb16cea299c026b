"""`Meter`: how Konnect aggregates usage events into the quantities features sell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import Description, Name, Pattern, ResourceKey, StrictModel
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import UniqueValue

Aggregation = Literal["sum", "count", "unique_count", "avg", "min", "max", "latest"]
JsonPath = Annotated[
    str, Pattern(r"^\$\S*$", "must be a JSON path into the event's data, starting with '$'")
]
DimensionName = Annotated[
    str, Pattern(r"^[A-Za-z0-9_]+$", "dimension names are letters, digits and '_'")
]


class MeterSpec(StrictModel):
    key: ResourceKey = Field(description="Konnect meter key; immutable once created.")
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    event_type: Annotated[str, Field(min_length=1)] = Field(
        description="The CloudEvents `type` of the events this meter aggregates; immutable."
    )
    aggregation: Aggregation = Field(description="How event values add up; immutable.")
    value_property: JsonPath | None = Field(
        default=None,
        description="JSON path of the value to aggregate; required except for `count`, "
        "which takes none; immutable.",
    )
    dimensions: dict[DimensionName, JsonPath] | None = Field(
        default=None, description="Names for JSON paths that usage can be grouped by."
    )

    @field_validator("value_property")
    @classmethod
    def _no_value_to_count(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("aggregation") == "count":
            raise PydanticCustomError(
                "value-property", "a count meter takes no value_property: it counts events"
            )
        return value

    @field_validator("dimensions")
    @classmethod
    def _not_the_value(
        cls, dimensions: dict[str, str] | None, info: ValidationInfo
    ) -> dict[str, str] | None:
        if info.data.get("value_property") in (dimensions or {}).values():
            raise PydanticCustomError(
                "value-property", "a dimension cannot be the value_property itself"
            )
        return dimensions

    @model_validator(mode="after")
    def _a_value_to_aggregate(self) -> MeterSpec:
        if self.aggregation != "count" and self.value_property is None:
            raise PydanticCustomError(
                "value-property",
                "value_property is required when the aggregation is not count",
            )
        return self


class Meter(Manifest):
    """A meter: the event type it reads and how it aggregates them."""

    KIND: ClassVar[str] = "Meter"
    SCHEMA_FILE: ClassVar[str] = "meter.json"

    kind: Literal["Meter"]
    spec: MeterSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("meter key", self.spec.key, ("spec", "key"))
