"""BillingProfile: supplier and workflow, with the Stripe app it bills through."""

from __future__ import annotations

from reconciler.kinds.billing_profile.live import ADDRESS_TYPE, payment_app_id
from reconciler.kinds.billing_profile.resource import (
    BillingProfileResource,
    changes_app,
    collection_method,
    declared_default,
    tax_enabled,
    tax_enforced,
)

__all__ = [
    "ADDRESS_TYPE",
    "BillingProfileResource",
    "changes_app",
    "collection_method",
    "declared_default",
    "payment_app_id",
    "tax_enabled",
    "tax_enforced",
]
