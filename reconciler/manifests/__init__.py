"""Manifests: YAML documents with positions, pydantic models per kind, offline validation."""

from __future__ import annotations

from reconciler.manifests.billing_profile import BillingProfile
from reconciler.manifests.customer_billing import CustomerBilling
from reconciler.manifests.diagnostics import Diagnostic, Position
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.errors import ValidationFailed
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
from reconciler.manifests.project import KonnectTarget, Project, SandboxTarget
from reconciler.manifests.stripe_app import StripeApp
from reconciler.manifests.tax_code import TaxCode
from reconciler.manifests.validation import (
    ValidationReport,
    load_manifests,
    validate_directory,
)

__all__ = [
    "KINDS",
    "BillingProfile",
    "CustomerBilling",
    "Diagnostic",
    "KonnectTarget",
    "LoadedManifest",
    "Manifest",
    "ManifestSet",
    "Position",
    "Project",
    "SandboxTarget",
    "StripeApp",
    "TaxCode",
    "ValidationFailed",
    "ValidationReport",
    "load_manifests",
    "validate_directory",
]
