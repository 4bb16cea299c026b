"""`StripeApp`: the Stripe app installed in Konnect, with its secret key by reference."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool

from reconciler.manifests.common import (
    Description,
    Name,
    Pattern,
    SecretReference,
    StrictModel,
)
from reconciler.manifests.envelope import Manifest

StripeAccountId = Annotated[
    str, Pattern(r"^acct_[A-Za-z0-9]+$", "must be a Stripe account id starting with 'acct_'")
]


class StripeAppSpec(StrictModel):
    name: Name | None = Field(
        default=None, description="Konnect display name of the app; defaults to metadata.name."
    )
    description: Description | None = None
    api_key: SecretReference = Field(
        description=(
            "The Stripe secret or restricted key (`sk_...`/`rk_...`), given only as "
            "`${env:NAME}`. Never returned by the API; rotation is detected by fingerprint."
        )
    )
    livemode: StrictBool | None = Field(
        default=None,
        description="Expected mode of the key: true for live, false for test. Unchecked if unset.",
    )
    account_id: StripeAccountId | None = Field(
        default=None,
        description="Expected Stripe account (`acct_...`) behind the key. Unchecked if unset.",
    )


class StripeApp(Manifest):
    """A Stripe app in Konnect; billing profiles refer to it by metadata.name."""

    KIND: ClassVar[str] = "StripeApp"
    SCHEMA_FILE: ClassVar[str] = "stripe-app.json"

    kind: Literal["StripeApp"]
    spec: StripeAppSpec

    @property
    def konnect_name(self) -> str:
        return self.spec.name or self.metadata.name
