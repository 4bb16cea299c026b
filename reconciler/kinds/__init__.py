"""One module per kind, behind the protocol in `base`; `RESOURCES` is the registry.

The registry's order is the order kinds are shown and, through their dependencies, applied:
Stripe app, tax codes, organization defaults, billing profiles, customer links.
"""

from __future__ import annotations

from reconciler.core.kind import Resource
from reconciler.kinds.billing_profile import BillingProfileResource
from reconciler.kinds.customer_billing import CustomerBillingResource
from reconciler.kinds.stripe_app import StripeAppResource
from reconciler.kinds.tax_code import TaxCodeResource, TaxDefaultsResource

RESOURCES: tuple[Resource, ...] = (
    StripeAppResource(),
    TaxCodeResource(),
    TaxDefaultsResource(),
    BillingProfileResource(),
    CustomerBillingResource(),
)

# Manifest kinds as users write them in `--resource KIND/NAME`, to address types.
KIND_ADDRESS_TYPES = {
    "StripeApp": "stripe_app",
    "TaxCode": "tax_code",
    "BillingProfile": "billing_profile",
    "CustomerBilling": "customer_billing",
}

__all__ = ["KIND_ADDRESS_TYPES", "RESOURCES", "Resource"]
