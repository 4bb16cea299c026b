"""CustomerBilling: a Konnect customer, its billing profile and its Stripe customer, and the
checkout and portal sessions that onboard a customer with no Stripe customer yet."""

from __future__ import annotations

from reconciler.kinds.customer_billing.resource import (
    ADDRESS_TYPE,
    CustomerBillingResource,
    applied_digest,
)

__all__ = ["ADDRESS_TYPE", "CustomerBillingResource", "applied_digest"]
