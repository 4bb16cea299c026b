"""Plan: product catalog plans by key, each change a new published version."""

from __future__ import annotations

from reconciler.kinds.plan.resource import ADDRESS_TYPE, PlanResource

__all__ = ["ADDRESS_TYPE", "PlanResource"]
