"""reconcile: billing configuration as code for Konnect Metering & Billing and Stripe.

The library surface: load and validate manifests, and the error types. Everything else is
internal and may change.
"""

from __future__ import annotations

from reconciler.core.version import VERSION
from reconciler.manifests import (
    BillingProfile,
    CustomerBilling,
    Diagnostic,
    Manifest,
    ManifestSet,
    Project,
    StripeApp,
    TaxCode,
    ValidationFailed,
    ValidationReport,
    load_manifests,
    validate_directory,
)

__version__ = VERSION

__all__ = [
    "BillingProfile",
    "CustomerBilling",
    "Diagnostic",
    "Manifest",
    "ManifestSet",
    "Project",
    "StripeApp",
    "TaxCode",
    "ValidationFailed",
    "ValidationReport",
    "__version__",
    "load_manifests",
    "validate_directory",
]
