"""`CustomerBilling`: links a Konnect customer to a billing profile and a Stripe customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import (
    Address,
    CurrencyCode,
    Description,
    Email,
    ManifestName,
    Name,
    Pattern,
    StrictModel,
)
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.references import ReferenceField, UniqueValue

StripeCustomerId = Annotated[
    str, Pattern(r"^cus_[A-Za-z0-9]+$", "must be a Stripe customer id starting with 'cus_'")
]
StripePaymentMethodId = Annotated[
    str, Pattern(r"^pm_[A-Za-z0-9_]+$", "must be a Stripe payment method id starting with 'pm_'")
]


class Customer(StrictModel):
    """The Konnect customer, by key. Declare a name so that a missing customer is created.
    Customer fields left out stay as Konnect has them (sign-up flows and CRMs fill them in)."""

    key: Annotated[str, Field(min_length=1, max_length=256)] = Field(
        description="Konnect customer key (unique per organization, immutable)."
    )
    name: Name | None = None
    description: Description | None = None
    primary_email: Email | None = None
    currency: CurrencyCode | None = None
    billing_address: Address | None = None
    subject_keys: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None,
        description="Usage attribution: the event subjects of this customer (Konnect "
        "`usage_attribution.subject_keys`). A subject belongs to one customer only.",
    )


class StripeLink(StrictModel):
    customer_id: StripeCustomerId = Field(description="The Stripe customer (`cus_...`).")
    default_payment_method_id: StripePaymentMethodId | None = Field(
        default=None,
        description="Payment method (`pm_...`) to charge; when unset Stripe's default applies.",
    )


class CustomerBillingSpec(StrictModel):
    customer: Customer
    billing_profile: ManifestName | None = Field(
        default=None,
        description="metadata.name of the BillingProfile; when unset the default profile applies.",
    )
    stripe: StripeLink | None = Field(
        default=None, description="The existing Stripe customer. Exclusive with `onboarding`."
    )
    onboarding: Literal["checkout"] | None = Field(
        default=None,
        description="`checkout`: no Stripe customer yet; one is created through Stripe Checkout.",
    )

    @field_validator("onboarding")
    @classmethod
    def _not_both(cls, onboarding: str | None, info: ValidationInfo) -> str | None:
        if onboarding is not None and info.data.get("stripe") is not None:
            raise PydanticCustomError(
                "stripe-link", "declare either `stripe` or `onboarding`, not both"
            )
        return onboarding

    @model_validator(mode="after")
    def _one_of_them(self) -> CustomerBillingSpec:
        if self.stripe is None and self.onboarding is None:
            raise PydanticCustomError(
                "stripe-link", "declare `stripe.customer_id` or `onboarding: checkout`"
            )
        return self


class CustomerBilling(Manifest):
    """How one Konnect customer is billed."""

    KIND: ClassVar[str] = "CustomerBilling"
    REFERENCE_FIELDS: ClassVar[tuple[ReferenceField, ...]] = (
        ReferenceField("BillingProfile", ("spec", "billing_profile")),
    )
    SCHEMA_FILE: ClassVar[str] = "customer-billing.json"

    kind: Literal["CustomerBilling"]
    spec: CustomerBillingSpec

    def unique_values(self) -> Iterator[UniqueValue]:
        yield UniqueValue("customer key", self.spec.customer.key, ("spec", "customer", "key"))
        for index, subject in enumerate(self.spec.customer.subject_keys or ()):
            yield UniqueValue("subject key", subject, ("spec", "customer", "subject_keys", index))
