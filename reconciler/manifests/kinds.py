"""The registry of manifest kinds: adding a kind means adding its module and one entry here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, RootModel

from reconciler.manifests.addon import Addon
from reconciler.manifests.billing_profile import BillingProfile
from reconciler.manifests.customer_billing import CustomerBilling
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.feature import Feature
from reconciler.manifests.meter import Meter
from reconciler.manifests.plan import Plan
from reconciler.manifests.stripe_app import StripeApp
from reconciler.manifests.tax_code import TaxCode

# In apply order: what a kind refers to comes before it.
KINDS: dict[str, type[Manifest]] = {
    kind.KIND: kind
    for kind in (StripeApp, TaxCode, BillingProfile, CustomerBilling, Meter, Feature, Addon, Plan)
}

AnyManifest = Annotated[
    StripeApp | TaxCode | BillingProfile | CustomerBilling | Meter | Feature | Addon | Plan,
    Field(discriminator="kind"),
]


class AnyManifestDocument(RootModel[AnyManifest]):
    """A document of any kind, told apart by `kind`: the schema for files mixing kinds."""
