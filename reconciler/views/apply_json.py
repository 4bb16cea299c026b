"""What `apply --output json` prints and `apply --report FILE` writes: the engine's
`ApplyReport` as it stands (the executor fills it in), named here for `schemas/`."""

from __future__ import annotations

from reconciler.engine.applying.apply_report import ApplyReport

APPLY_REPORT_FILE = "apply-report.json"
APPLY_REPORT_TITLE = "reconcile apply --output json, apply --report FILE"

__all__ = ["APPLY_REPORT_FILE", "APPLY_REPORT_TITLE", "ApplyReport"]
