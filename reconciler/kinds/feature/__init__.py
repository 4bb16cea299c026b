"""Feature: what a plan's rate cards sell, matched by key."""

from __future__ import annotations

from reconciler.kinds.feature.resource import ADDRESS_TYPE, FeatureResource

__all__ = ["ADDRESS_TYPE", "FeatureResource"]
