"""`CustomerBilling`: links a Konnect customer to a billing profile and a Stripe customer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator, model_validator
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


Saving = Literal["auto", "never"]
CheckoutText = Annotated[str, Field(min_length=1, max_length=1200)]
# Hours and minutes only: Stripe keeps a checkout open for 30 minutes to 24 hours.
_EXPIRY = re.compile(r"^PT(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?$")
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600
Expiry = Annotated[
    str, Pattern(_EXPIRY.pattern, "must be a duration in hours and minutes such as PT2H or PT45M")
]
Locale = Annotated[
    str, Pattern(r"^(auto|[a-z]{2}(-[A-Z]{2})?)$", "must be `auto` or a locale such as de, fr-CA")
]
PaymentMethodType = Annotated[
    str, Pattern(r"^[a-z][a-z_]*$", "must be a Stripe payment method type such as card")
]


class CustomerUpdate(StrictModel):
    """What the customer enters at checkout that Stripe saves to the Stripe customer."""

    address: Saving | None = Field(
        default=None,
        description="`auto`: save the billing address entered, where Stripe Tax looks for the "
        "customer. Default: `auto` when the profile has tax enabled, else Stripe's `never`.",
    )
    name: Saving | None = Field(
        default=None,
        description="`auto`: save the name entered. Stripe requires it when collecting tax ids; "
        "default `auto` then.",
    )


class TaxIdCollection(StrictModel):
    enabled: StrictBool = Field(
        default=True, description="Let the customer enter a tax id (VAT number, ...)."
    )
    required: Literal["if_supported", "never"] | None = Field(
        default=None,
        description="`if_supported`: require one where Stripe supports the customer's country.",
    )


class CustomText(StrictModel):
    """Texts shown on the checkout page (Stripe's `custom_text`, each a `message`)."""

    submit: CheckoutText | None = None
    after_submit: CheckoutText | None = None
    terms_of_service_acceptance: CheckoutText | None = None


class CheckoutOptions(StrictModel):
    """How the Stripe Checkout of `onboarding: checkout` collects what billing needs; each
    also a `reconcile checkout-url` option, which takes precedence."""

    billing_address_collection: Literal["auto", "required"] | None = Field(
        default=None,
        description="`required`: always ask for the billing address. Default: `required` when "
        "the profile charges automatically or enforces tax, else `auto`.",
    )
    customer_update: CustomerUpdate | None = None
    tax_id_collection: TaxIdCollection | None = None
    payment_method_types: list[PaymentMethodType] | None = Field(
        default=None,
        min_length=1,
        description="Stripe payment method types offered, e.g. [card, us_bank_account]. "
        "Default: Stripe's choice for the currency.",
    )
    locale: Locale | None = Field(
        default=None, description="Language of the checkout page: `auto`, `de`, `fr-CA`, ..."
    )
    custom_text: CustomText | None = None
    expires_after: Expiry | None = Field(
        default=None,
        description="How long the link stays open, PT30M to PT24H (Stripe's default: 24 hours).",
    )

    @field_validator("expires_after")
    @classmethod
    def _within_stripe_limits(cls, expires_after: str | None) -> str | None:
        if expires_after is not None and not MIN_EXPIRY <= expiry_seconds(expires_after) <= (
            MAX_EXPIRY
        ):
            raise PydanticCustomError(
                "checkout-expiry", "a checkout stays open between PT30M and PT24H"
            )
        return expires_after

    @model_validator(mode="after")
    def _tax_ids_save_the_name(self) -> CheckoutOptions:
        collecting = self.tax_id_collection is not None and self.tax_id_collection.enabled
        if collecting and self.customer_update and self.customer_update.name == "never":
            raise PydanticCustomError(
                "checkout-options",
                "collecting tax ids needs customer_update.name: auto (Stripe requires it for "
                "an existing customer)",
            )
        return self


def expiry_seconds(duration: str) -> int:
    """Seconds of a `PT#H#M` duration (see `CheckoutOptions.expires_after`)."""
    match = _EXPIRY.match(duration)
    if match is None:
        raise ValueError(f"not a duration in hours and minutes: {duration!r}")
    return int(match["hours"] or 0) * 3600 + int(match["minutes"] or 0) * 60


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
    checkout: CheckoutOptions | None = Field(
        default=None,
        description="With `onboarding: checkout`: what the checkout collects and saves.",
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
        if self.checkout is not None and self.onboarding != "checkout":
            raise PydanticCustomError(
                "checkout-options", "`checkout` options go with `onboarding: checkout`"
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
