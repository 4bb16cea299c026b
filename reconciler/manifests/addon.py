"""`Addon`: rate cards a subscription can buy on top of its plan, each with its tax code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import (
    CurrencyCode,
    Description,
    Name,
    ResourceKey,
    StrictModel,
)
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.plan import RateCard, refuse_repeats
from reconciler.manifests.references import UniqueValue


class AddonSpec(StrictModel):
    key: ResourceKey = Field(description="Konnect add-on key, shared by all its versions.")
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    currency: CurrencyCode = Field(description="The currency of its prices: its plans' currency.")
    instance_type: Literal["single", "multiple"] = Field(
        description="`single`: bought once; `multiple`: bought in quantities (no flat prices)."
    )
    archived: bool = Field(
        default=False, description="Archive the active version: it can be bought no more."
    )
    rate_cards: Annotated[list[RateCard], Field(min_length=1)]

    @model_validator(mode="after")
    def _cards_fit_the_instance_type(self) -> AddonSpec:
        refuse_repeats([card.key for card in self.rate_cards], "rate card key")
        if self.instance_type == "multiple" and any(
            card.price.type == "flat" for card in self.rate_cards
        ):
            raise PydanticCustomError(
                "instance-type", "a multiple add-on is bought in quantities: no flat prices"
            )
        return self


class Addon(Manifest):
    """An add-on. As with plans, a change to a published version becomes a new version."""

    KIND: ClassVar[str] = "Addon"
    SCHEMA_FILE: ClassVar[str] = "addon.json"

    kind: Literal["Addon"]
    spec: AddonSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("add-on key", self.spec.key, ("spec", "key"))
