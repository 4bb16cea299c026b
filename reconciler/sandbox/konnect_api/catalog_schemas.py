"""Request shapes of the product catalog (plans, their phases and rate cards), sealed as the
v3 document seals them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from reconciler.sandbox.konnect_api.errors import register_union_tags
from reconciler.sandbox.konnect_api.schemas import (
    Description,
    Labels,
    Name,
    Reference,
    ResourceKey,
    Sealed,
)

Numeric = Annotated[str, StringConstraints(pattern=r"^\-?[0-9]+(\.[0-9]+)?$")]
Duration = Annotated[
    str,
    StringConstraints(
        pattern=r"^P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?"
        r"(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
    ),
]
# A three-letter code, or a custom currency's code (4 to 24 characters).
Currency = Annotated[str, StringConstraints(min_length=3, max_length=24)]


def canonical_number(text: str) -> str:
    """A decimal as the server prints it back: no trailing zeros, no exponent."""
    value = Decimal(text).normalize()
    return "0" if value == 0 else format(value, "f")


class FlatAmount(Sealed):
    type: Literal["flat"]
    amount: Numeric


class UnitAmount(Sealed):
    type: Literal["unit"]
    amount: Numeric


class FreePrice(Sealed):
    type: Literal["free"]


class Tier(Sealed):
    up_to_amount: Numeric | None = None
    flat_price: FlatAmount | None = None
    unit_price: UnitAmount | None = None


class GraduatedPrice(Sealed):
    type: Literal["graduated"]
    tiers: Annotated[list[Tier], Field(min_length=1)]


class VolumePrice(Sealed):
    type: Literal["volume"]
    tiers: Annotated[list[Tier], Field(min_length=1)]


Price = Annotated[
    FreePrice | FlatAmount | UnitAmount | GraduatedPrice | VolumePrice,
    Field(discriminator="type"),
]
register_union_tags("free", "flat", "unit", "graduated", "volume")
USAGE_PRICES = frozenset({"unit", "graduated", "volume"})


class TaxConfig(Sealed):
    behavior: Literal["inclusive", "exclusive"] | None = None
    code: Reference


class Commitments(Sealed):
    minimum_amount: Numeric | None = None
    maximum_amount: Numeric | None = None


class Discounts(Sealed):
    percentage: Annotated[float, Field(ge=0, le=100)] | int | None = None
    usage: Numeric | None = None


class RateCard(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    key: ResourceKey
    feature: Reference | None = None
    currency: Currency | None = None
    billing_cadence: Duration | None = None
    price: Price
    # Entitlements and unit conversions are kept as sent: the sandbox bills no usage.
    unit_config: dict[str, Any] | None = None
    payment_term: Literal["in_advance", "in_arrears"] | None = None
    commitments: Commitments | None = None
    discounts: Discounts | None = None
    tax_config: TaxConfig | None = None
    entitlement: dict[str, Any] | None = None


class Phase(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    key: ResourceKey
    duration: Duration | None = None
    rate_cards: list[RateCard]


class UpsertPlan(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    pro_rating_enabled: bool | None = None
    phases: Annotated[list[Phase], Field(min_length=1)]


class CreatePlan(UpsertPlan):
    key: ResourceKey
    currency: Currency
    billing_cadence: Duration
