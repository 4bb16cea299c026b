"""What `checkout-url --output json` and `portal-url --output json` print: the session made
for one customer, and the target it was made on. Schemas: `schemas/checkout-output.json` and
`schemas/portal-output.json`; `format_version` follows the rule of `plan_json`."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from reconciler.core.documents import format_version_field

ONBOARDING_FORMAT_VERSION = 1
CHECKOUT_OUTPUT_FILE = "checkout-output.json"
CHECKOUT_OUTPUT_TITLE = "reconcile checkout-url --output json"
PORTAL_OUTPUT_FILE = "portal-output.json"
PORTAL_OUTPUT_TITLE = "reconcile portal-url --output json"
# Built from the session's own JSON: a key the models do not know is a fault, not a new field.
_DOCUMENT = ConfigDict(
    frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
)


class OnboardedCustomer(BaseModel):
    model_config = _DOCUMENT

    manifest: str = Field(description="The CustomerBilling manifest, as CustomerBilling/NAME.")
    key: str = Field(description="The Konnect customer's key.")
    id: str = Field(description="The Konnect customer's id.")


class _SessionDocument(BaseModel):
    # What both documents open with; each adds its session's own fields after these.
    model_config = _DOCUMENT

    format_version: int = format_version_field(ONBOARDING_FORMAT_VERSION)
    target: str = Field(description="The reconcile.yaml target the session was made on.")
    customer: OnboardedCustomer

    @classmethod
    def of(cls, target: str, session: dict[str, Any]) -> Self:
        return cls.model_validate({"target": target, **session})


class CheckoutDocument(_SessionDocument):
    url: str | None = Field(description="The hosted checkout's link; null for an embedded one.")
    session_id: str | None
    setup_intent_id: str | None
    stripe_customer_id: str | None = Field(description="The Stripe customer Konnect linked.")
    expires_at: str | None
    client_secret: str | None = Field(
        description="An embedded checkout's secret, redacted unless --show-secret; null when "
        "Stripe gave none (a hosted checkout)."
    )
    billing_address_collection: str = Field(
        description="`required` when the customer's profile charges automatically, else `auto`."
    )
    saves_to_stripe_customer: tuple[str, ...] = Field(
        description="What the checkout saves to the Stripe customer (`address`, `name`), as "
        "its `customer_update` says."
    )
    tax_id_collection: bool = Field(description="Whether the customer may enter a tax id.")
    warnings: tuple[str, ...] = ()


class PortalDocument(_SessionDocument):
    url: str | None = Field(description="The portal's single-use, short-lived link.")
    session_id: str | None
    stripe_customer_id: str | None
    return_url: str | None
    created_at: str | None
