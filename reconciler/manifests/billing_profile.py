"""`BillingProfile`: supplier and invoicing workflow, in Konnect's own vocabulary.

Optional fields left unset stay None so a planner can tell "not declared" from "declared";
the API default each one falls back to is named in its description.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import (
    Address,
    CountryCode,
    Description,
    Iso8601Duration,
    ManifestName,
    Name,
    StrictModel,
)
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import Finding, ReferenceField, UniqueValue


class SupplierAddress(Address):
    country: CountryCode = Field(description="Required by Konnect for the supplier.")


class SupplierAddresses(StrictModel):
    billing_address: SupplierAddress


class TaxId(StrictModel):
    code: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class Supplier(StrictModel):
    """The party issuing the invoices."""

    key: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    name: Annotated[str, Field(min_length=1)] = Field(description="Required by Konnect.")
    tax_id: TaxId | None = None
    addresses: SupplierAddresses


class SubscriptionAlignment(StrictModel):
    type: Literal["subscription"]


class RecurringPeriod(StrictModel):
    anchor: datetime
    interval: Iso8601Duration


class AnchoredAlignment(StrictModel):
    type: Literal["anchored"]
    recurring_period: RecurringPeriod


Alignment = Annotated[SubscriptionAlignment | AnchoredAlignment, Field(discriminator="type")]


class Collection(StrictModel):
    alignment: Alignment | None = Field(default=None, description="API default: subscription.")
    interval: Iso8601Duration | None = Field(
        default=None,
        description="How long to wait for late usage events before collecting. API default PT1H.",
    )


class Invoicing(StrictModel):
    auto_advance: StrictBool | None = Field(default=None, description="API default: true.")
    draft_period: Iso8601Duration | None = Field(
        default=None, description="How long an invoice stays draft before sending. Default P0D."
    )
    progressive_billing: StrictBool | None = Field(default=None, description="API default: true.")
    subscription_end_proration_mode: Literal["bill_full_period", "bill_actual_period"] | None = (
        Field(default=None, description="API default: bill_actual_period.")
    )


class ChargeAutomatically(StrictModel):
    collection_method: Literal["charge_automatically"]


class SendInvoice(StrictModel):
    collection_method: Literal["send_invoice"]
    due_after: Iso8601Duration | None = Field(
        default=None, description="Payment term of sent invoices. API default P30D."
    )


Payment = Annotated[ChargeAutomatically | SendInvoice, Field(discriminator="collection_method")]


class DefaultTaxConfig(StrictModel):
    behavior: Literal["inclusive", "exclusive"] | None = None


class Tax(StrictModel):
    enabled: StrictBool | None = Field(default=None, description="API default: true.")
    enforced: StrictBool | None = Field(
        default=None, description="API default: false. Requires `enabled` not false."
    )
    default_tax_config: DefaultTaxConfig | None = None

    @field_validator("enforced")
    @classmethod
    def _enforced_needs_enabled(cls, enforced: bool | None, info: ValidationInfo) -> bool | None:
        if enforced and info.data.get("enabled") is False:
            raise PydanticCustomError("tax-enforced", "tax cannot be enforced when not enabled")
        return enforced


class Workflow(StrictModel):
    collection: Collection | None = None
    invoicing: Invoicing | None = None
    payment: Payment | None = Field(default=None, description="API default: charge_automatically.")
    tax: Tax | None = None


class BillingProfileSpec(StrictModel):
    name: Name | None = Field(
        default=None, description="Konnect display name; defaults to metadata.name."
    )
    description: Description | None = None
    default: StrictBool = Field(
        default=False, description="Exactly one profile is the organization's default."
    )
    app: ManifestName = Field(
        description="metadata.name of the StripeApp used for tax, invoicing and payment. "
        "Immutable: changing it replaces the profile."
    )
    supplier: Supplier
    workflow: Workflow = Field(default_factory=Workflow)


# The code of the rule that exactly one profile is the default (`Project.default_profile`).
DEFAULT_PROFILE = "default-profile"


class BillingProfile(Manifest):
    """A billing profile; customers refer to it by metadata.name."""

    KIND: ClassVar[str] = "BillingProfile"
    REFERENCE_FIELDS: ClassVar[tuple[ReferenceField, ...]] = (
        ReferenceField("StripeApp", ("spec", "app")),
    )
    SCHEMA_FILE: ClassVar[str] = "billing-profile.json"

    kind: Literal["BillingProfile"]
    spec: BillingProfileSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name

    def unique_values(self) -> Iterator[UniqueValue]:
        # Profiles are matched to live ones by display name, so two must not share one.
        loc = ("spec", "name") if self.spec.name else ("metadata", "name")
        yield UniqueValue("billing profile display name", self.konnect_name, loc)

    @classmethod
    def collection_findings(cls, documents: Sequence[Manifest]) -> Iterator[Finding]:
        profiles = [doc for doc in documents if isinstance(doc, BillingProfile)]
        defaults = [index for index, doc in enumerate(profiles) if doc.spec.default]
        if profiles and not defaults:
            yield Finding(
                0, ("kind",), DEFAULT_PROFILE, "no billing profile is marked `default: true`"
            )
        for index in defaults[1:]:
            first = profiles[defaults[0]].name
            yield Finding(
                index,
                ("spec", "default"),
                DEFAULT_PROFILE,
                f"only one billing profile may be the default; '{first}' already is",
            )
