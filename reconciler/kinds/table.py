"""The one kind table: each kind's resource, its address type and its manifest model, in the
order kinds are shown and, through their dependencies, applied.

Adding a kind is its package under `reconciler/kinds/` and one line here (see
docs/contributing/adding-a-kind.md). The manifest layer keeps its own list of models
(`manifests.kinds.KINDS`), since it cannot import the kinds; a test holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.core.kind import Resource
from reconciler.kinds.addon import AddonResource
from reconciler.kinds.billing_profile import BillingProfileResource
from reconciler.kinds.customer_billing import CustomerBillingResource
from reconciler.kinds.feature import FeatureResource
from reconciler.kinds.meter import MeterResource
from reconciler.kinds.plan import PlanResource
from reconciler.kinds.stripe_app import StripeAppResource
from reconciler.kinds.tax_code import TaxCodeResource, TaxDefaultsResource
from reconciler.manifests import (
    Addon,
    BillingProfile,
    CustomerBilling,
    Feature,
    Meter,
    Plan,
    StripeApp,
    TaxCode,
)
from reconciler.manifests.envelope import Manifest


@dataclass(frozen=True)
class Kind:
    resource: Resource
    # The manifest kind users write; None for a kind declared through another's manifests
    # (the organization's default tax codes, through TaxCode's `organization_default_for`).
    manifest: type[Manifest] | None

    @property
    def address_type(self) -> str:
        return self.resource.address_type


KIND_TABLE: tuple[Kind, ...] = (
    Kind(StripeAppResource(), StripeApp),
    Kind(TaxCodeResource(), TaxCode),
    Kind(TaxDefaultsResource(), None),
    Kind(BillingProfileResource(), BillingProfile),
    Kind(CustomerBillingResource(), CustomerBilling),
    Kind(MeterResource(), Meter),
    Kind(FeatureResource(), Feature),
    Kind(AddonResource(), Addon),
    Kind(PlanResource(), Plan),
)

RESOURCES: tuple[Resource, ...] = tuple(kind.resource for kind in KIND_TABLE)

# Manifest kinds as users write them in `--resource KIND/NAME`, to address types.
KIND_ADDRESS_TYPES: dict[str, str] = {
    kind.manifest.KIND: kind.address_type for kind in KIND_TABLE if kind.manifest is not None
}
