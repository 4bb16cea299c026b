"""`TaxCode`: a Konnect tax code mapped to a Stripe tax code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import Description, Name, Pattern, ResourceKey, StrictModel
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import UniqueValue

StripeTaxCode = Annotated[
    str, Pattern(r"^txcd_\d{8}$", "must be a Stripe tax code: 'txcd_' followed by 8 digits")
]
OrganizationDefault = Literal["invoicing", "credit_grants"]


class TaxCodeSpec(StrictModel):
    key: ResourceKey = Field(description="Konnect tax code key; immutable once created.")
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    stripe_tax_code: StripeTaxCode = Field(
        description="The Stripe tax code (`txcd_` + 8 digits), Konnect's `stripe` app mapping."
    )
    organization_default_for: list[OrganizationDefault] | None = Field(
        default=None,
        description=(
            "Make this the organization's default tax code for invoicing and/or credit grants."
        ),
    )

    @field_validator("organization_default_for")
    @classmethod
    def _no_repeats(cls, uses: list[str] | None) -> list[str] | None:
        if uses is not None and len(set(uses)) != len(uses):
            raise PydanticCustomError("duplicate-value", "each default may be listed once")
        return uses


class TaxCode(Manifest):
    """A tax code, optionally one of the organization's defaults."""

    KIND: ClassVar[str] = "TaxCode"
    SCHEMA_FILE: ClassVar[str] = "tax-code.json"

    kind: Literal["TaxCode"]
    spec: TaxCodeSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("tax code key", self.spec.key, ("spec", "key"))
        for index, use in enumerate(self.spec.organization_default_for or ()):
            yield UniqueValue(
                "organization default tax code for",
                use,
                ("spec", "organization_default_for", index),
            )
