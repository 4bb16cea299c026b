"""The library's public surface is pinned: a change to it is a decision, not an accident."""

from __future__ import annotations

import reconciler

PUBLIC = [
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


def test_the_public_names_are_pinned() -> None:
    assert reconciler.__all__ == PUBLIC
    assert all(hasattr(reconciler, name) for name in PUBLIC)


def test_every_error_a_user_meets_derives_from_the_one_base() -> None:
    for error in (reconciler.ValidationFailed, reconciler.ApplyRefused, reconciler.ExportRefused):
        assert issubclass(error, reconciler.ReconcileError)
