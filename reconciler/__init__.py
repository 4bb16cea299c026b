"""reconcile: billing configuration as code for Konnect Metering & Billing and Stripe.

The library surface: load and validate manifests; plan, apply, drift, export and adopt over a
project directory with one `Options`; the results and the error types. Everything else is
internal and may change.
"""

from __future__ import annotations

from reconciler.core.plan import Plan
from reconciler.core.version import VERSION
from reconciler.engine.applying.apply_report import ApplyReport
from reconciler.engine.applying.reporting import Reporter, SilentReporter
from reconciler.engine.drift import DriftReport
from reconciler.errors import ReconcileError
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
from reconciler.workflows import (
    ApplyInterrupted,
    ApplyRefused,
    Drifted,
    Events,
    Exported,
    ExportRefused,
    Options,
    Planned,
    adopt,
    apply,
    drift,
    export,
    plan,
    save_plan,
)

__version__ = VERSION

__all__ = [
    "ApplyInterrupted",
    "ApplyRefused",
    "ApplyReport",
    "BillingProfile",
    "CustomerBilling",
    "Diagnostic",
    "DriftReport",
    "Drifted",
    "Events",
    "ExportRefused",
    "Exported",
    "Manifest",
    "ManifestSet",
    "Options",
    "Plan",
    "Planned",
    "Project",
    "ReconcileError",
    "Reporter",
    "SilentReporter",
    "StripeApp",
    "TaxCode",
    "ValidationFailed",
    "ValidationReport",
    "__version__",
    "adopt",
    "apply",
    "drift",
    "export",
    "load_manifests",
    "plan",
    "save_plan",
    "validate_directory",
]
