"""`Plan`: a product catalog plan, its phases and rate cards, each rate card with the tax
code Konnect passes to Stripe Tax for its invoice lines."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import (
    CurrencyCode,
    Description,
    Iso8601Duration,
    Name,
    Pattern,
    ResourceKey,
    StrictModel,
)
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import UniqueValue

# A manifest's metadata.name (kebab case) or a live object's key (snake case).
NameOrKey = Annotated[
    str,
    Pattern(
        r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
        "must name a manifest (its metadata.name) or a live object (its key)",
        max_length=64,
    ),
]
BillingCadence = Literal["P1W", "P2W", "P4W", "P1M", "P3M", "P6M", "P12M", "P1Y"]


def _decimal_text(value: object) -> object:
    """Amounts as written: `49`, `0.001` or `"49.00"`, kept as exact decimal text."""
    if isinstance(value, bool):
        return value  # refused by the string type, not read as 1 or 0
    if isinstance(value, int | float):
        return str(value)
    return value


Amount = Annotated[
    str,
    BeforeValidator(_decimal_text),
    Pattern(r"^[0-9]+(?:\.[0-9]+)?$", "must be a non-negative decimal amount, e.g. 49 or 0.001"),
]


class FreePrice(StrictModel):
    type: Literal["free"]


class FlatPrice(StrictModel):
    type: Literal["flat"]
    amount: Amount


class UnitPrice(StrictModel):
    type: Literal["unit"]
    amount: Amount = Field(description="Per unit of the feature's metered usage.")


class Tier(StrictModel):
    up_to_amount: Amount | None = Field(
        default=None, description="Upper bound of the tier; omit on the last tier."
    )
    flat_price: Amount | None = Field(default=None, description="Flat amount for the tier.")
    unit_price: Amount | None = Field(default=None, description="Per unit in the tier.")


class GraduatedPrice(StrictModel):
    type: Literal["graduated"]
    tiers: Annotated[list[Tier], Field(min_length=1)]


class VolumePrice(StrictModel):
    type: Literal["volume"]
    tiers: Annotated[list[Tier], Field(min_length=1)]


Price = Annotated[
    FreePrice | FlatPrice | UnitPrice | GraduatedPrice | VolumePrice,
    Field(discriminator="type"),
]
USAGE_PRICES = ("unit", "graduated", "volume")


class RateCardTaxConfig(StrictModel):
    tax_code: NameOrKey = Field(
        description="The `TaxCode` (by metadata.name), or the key of a tax code that exists "
        "in Konnect; it must map to a Stripe tax code."
    )
    behavior: Literal["inclusive", "exclusive"] | None = Field(
        default=None, description="Whether the price includes the tax; default: the profile's."
    )


class RateCard(StrictModel):
    key: ResourceKey = Field(description="Unique in the phase; a feature's rate card has its key.")
    name: Name | None = Field(default=None, description="Display name; defaults to the key.")
    description: Description | None = None
    feature: NameOrKey | None = Field(
        default=None,
        description="The `Feature` sold (by metadata.name), or the key of a live feature; "
        "required for a usage price.",
    )
    billing_cadence: Iso8601Duration | None = Field(
        default=None,
        description="How often the card is billed; omit for a one-time flat fee; required "
        "for a usage price.",
    )
    price: Price
    payment_term: Literal["in_advance", "in_arrears"] | None = Field(
        default=None, description="Of a flat price: billed in advance or in arrears (default)."
    )
    tax_config: RateCardTaxConfig | None = Field(
        default=None, description="The tax code of this card's invoice lines."
    )

    @model_validator(mode="after")
    def _usage_needs_a_feature_and_a_cadence(self) -> RateCard:
        usage = self.price.type in USAGE_PRICES
        if usage and (self.feature is None or self.billing_cadence is None):
            raise PydanticCustomError(
                "usage-price",
                "a {type} price bills usage: the rate card needs a feature and a billing_cadence",
                {"type": self.price.type},
            )
        if self.payment_term is not None and self.price.type != "flat":
            raise PydanticCustomError("payment-term", "payment_term applies to a flat price only")
        return self


class Phase(StrictModel):
    key: ResourceKey
    name: Name | None = Field(default=None, description="Display name; defaults to the key.")
    description: Description | None = None
    duration: Iso8601Duration | None = Field(
        default=None, description="How long the phase lasts; every phase but the last has one."
    )
    rate_cards: Annotated[list[RateCard], Field(min_length=1)]

    @field_validator("rate_cards")
    @classmethod
    def _unique_keys(cls, cards: list[RateCard]) -> list[RateCard]:
        refuse_repeats([card.key for card in cards], "rate card key")
        return cards


def refuse_repeats(keys: Sequence[str], what: str) -> None:
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise PydanticCustomError(
            "duplicate-value",
            "{what} {keys} used more than once",
            {"what": what, "keys": ", ".join(repeated)},
        )


class PlanAddon(StrictModel):
    addon: NameOrKey = Field(
        description="The `Addon` (by metadata.name), or the key of a live add-on; it must be "
        "in the plan's currency."
    )
    from_plan_phase: ResourceKey = Field(description="The phase from which it can be bought.")
    max_quantity: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="How many a subscription may buy: required for a `multiple` add-on, "
        "not allowed for a `single` one.",
    )


class PlanSpec(StrictModel):
    key: ResourceKey = Field(description="Konnect plan key, shared by all its versions.")
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    currency: CurrencyCode = Field(description="The currency of every price in the plan.")
    billing_cadence: BillingCadence = Field(description="How often subscriptions are billed.")
    pro_rating: bool = Field(default=True, description="Prorate prices of partial periods.")
    archived: bool = Field(
        default=False,
        description="Archive the active version: no new subscriptions; existing ones go on.",
    )
    phases: Annotated[list[Phase], Field(min_length=1)] = Field(
        description="In order; only the last runs without a duration."
    )
    addons: list[PlanAddon] | None = Field(
        default=None, description="The add-ons a subscription to the plan may buy."
    )

    @field_validator("phases")
    @classmethod
    def _phases_in_order(cls, phases: list[Phase]) -> list[Phase]:
        refuse_repeats([phase.key for phase in phases], "phase key")
        *leading, last = phases
        if any(phase.duration is None for phase in leading):
            raise PydanticCustomError("phase-duration", "every phase but the last needs a duration")
        if last.duration is not None:
            raise PydanticCustomError(
                "phase-duration", "the last phase runs without end: it takes no duration"
            )
        return phases

    @field_validator("addons")
    @classmethod
    def _addons_once_from_a_phase(
        cls, addons: list[PlanAddon] | None, info: ValidationInfo
    ) -> list[PlanAddon] | None:
        refuse_repeats([a.addon for a in addons or ()], "add-on")
        phases = {phase.key for phase in info.data.get("phases") or ()}
        for addon in addons or ():
            if phases and addon.from_plan_phase not in phases:
                raise PydanticCustomError(
                    "unknown-phase",
                    "add-on {addon}: the plan has no phase {phase}",
                    {"addon": addon.addon, "phase": addon.from_plan_phase},
                )
        return addons


class Plan(Manifest):
    """A plan. A published version is immutable: a change becomes a new version, which
    apply publishes (Konnect then archives the version it replaces)."""

    KIND: ClassVar[str] = "Plan"
    SCHEMA_FILE: ClassVar[str] = "plan.json"

    kind: Literal["Plan"]
    spec: PlanSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("plan key", self.spec.key, ("spec", "key"))
