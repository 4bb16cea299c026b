"""Manifests: YAML documents with positions, pydantic models per kind, offline validation."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.manifests.addon import Addon
    from reconciler.manifests.billing_profile import BillingProfile
    from reconciler.manifests.customer_billing import CustomerBilling
    from reconciler.manifests.diagnostics import Diagnostic, Position
    from reconciler.manifests.envelope import Manifest
    from reconciler.manifests.errors import ValidationFailed
    from reconciler.manifests.feature import Feature
    from reconciler.manifests.kinds import KINDS
    from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
    from reconciler.manifests.meter import Meter
    from reconciler.manifests.plan import Plan
    from reconciler.manifests.project import KonnectTarget, Project, SandboxTarget
    from reconciler.manifests.stripe_app import StripeApp
    from reconciler.manifests.tax_code import TaxCode
    from reconciler.manifests.validation import (
        ValidationReport,
        load_manifests,
        validate_directory,
        validate_targets,
    )

__all__ = [
    "KINDS",
    "Addon",
    "BillingProfile",
    "CustomerBilling",
    "Diagnostic",
    "Feature",
    "KonnectTarget",
    "LoadedManifest",
    "Manifest",
    "ManifestSet",
    "Meter",
    "Plan",
    "Position",
    "Project",
    "SandboxTarget",
    "StripeApp",
    "TaxCode",
    "ValidationFailed",
    "ValidationReport",
    "load_manifests",
    "validate_directory",
    "validate_targets",
]

# Where each name lives, imported on first use (PEP 562): the output gateway reads the secret
# patterns of this package, and `reconcile --help` must not pay for the pydantic models.
_HOMES = {
    "Addon": "reconciler.manifests.addon",
    "BillingProfile": "reconciler.manifests.billing_profile",
    "CustomerBilling": "reconciler.manifests.customer_billing",
    "Diagnostic": "reconciler.manifests.diagnostics",
    "Position": "reconciler.manifests.diagnostics",
    "Manifest": "reconciler.manifests.envelope",
    "ValidationFailed": "reconciler.manifests.errors",
    "Feature": "reconciler.manifests.feature",
    "Meter": "reconciler.manifests.meter",
    "Plan": "reconciler.manifests.plan",
    "KINDS": "reconciler.manifests.kinds",
    "LoadedManifest": "reconciler.manifests.manifest_set",
    "ManifestSet": "reconciler.manifests.manifest_set",
    "KonnectTarget": "reconciler.manifests.project",
    "Project": "reconciler.manifests.project",
    "SandboxTarget": "reconciler.manifests.project",
    "StripeApp": "reconciler.manifests.stripe_app",
    "TaxCode": "reconciler.manifests.tax_code",
    "ValidationReport": "reconciler.manifests.validation",
    "load_manifests": "reconciler.manifests.validation",
    "validate_directory": "reconciler.manifests.validation",
    "validate_targets": "reconciler.manifests.validation",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'reconciler.manifests' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
