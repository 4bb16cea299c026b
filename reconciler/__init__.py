"""reconcile: billing configuration as code for Konnect Metering & Billing and Stripe.

The library surface: load and validate manifests; plan, apply, drift, export and adopt over a
project directory with one `Options`; the results and the error types. Everything else is
internal and may change.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from reconciler.core.version import VERSION

if TYPE_CHECKING:
    from reconciler.core.plan import Plan
    from reconciler.engine.applying.apply_report import ApplyReport
    from reconciler.engine.applying.reporting import Reporter, SilentReporter
    from reconciler.engine.drift import DriftReport
    from reconciler.errors import ReconcileError
    from reconciler.manifests import (
        Addon,
        BillingProfile,
        CustomerBilling,
        Diagnostic,
        Feature,
        Manifest,
        ManifestSet,
        Meter,
        Project,
        StripeApp,
        TaxCode,
        ValidationFailed,
        ValidationReport,
        load_manifests,
        validate_directory,
        validate_targets,
    )
    from reconciler.workflows import (
        ApplyInterrupted,
        ApplyRefused,
        Drifted,
        Events,
        Exported,
        ExportedEnvironments,
        ExportRefused,
        Options,
        Planned,
        adopt,
        apply,
        drift,
        export,
        export_environments,
        plan,
        save_plan,
    )

__version__ = VERSION

# `Plan` is a plan of changes; the catalog's Plan kind is `reconciler.manifests.Plan`.
__all__ = [
    "Addon",
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
    "ExportedEnvironments",
    "Feature",
    "Manifest",
    "ManifestSet",
    "Meter",
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
    "export_environments",
    "load_manifests",
    "plan",
    "save_plan",
    "validate_directory",
    "validate_targets",
]


# Where each name of the surface lives. Imported on first use (PEP 562), so that `reconcile
# --help`, which imports this package first, does not pay for pydantic, httpx and stripe.
_HOMES = {
    "ApplyReport": "reconciler.engine.applying.apply_report",
    "DriftReport": "reconciler.engine.drift",
    "Plan": "reconciler.core.plan",
    "ReconcileError": "reconciler.errors",
    "Reporter": "reconciler.engine.applying.reporting",
    "SilentReporter": "reconciler.engine.applying.reporting",
    **dict.fromkeys(
        [
            "Addon",
            "BillingProfile",
            "CustomerBilling",
            "Diagnostic",
            "Feature",
            "Manifest",
            "ManifestSet",
            "Meter",
            "Project",
            "StripeApp",
            "TaxCode",
            "ValidationFailed",
            "ValidationReport",
            "load_manifests",
            "validate_directory",
            "validate_targets",
        ],
        "reconciler.manifests",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name, "reconciler.workflows" if name in __all__ else None)
    if home is None:
        raise AttributeError(f"module 'reconciler' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
