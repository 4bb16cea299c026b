"""Addon: product catalog add-ons by key, each change a new published version."""

from __future__ import annotations

from reconciler.kinds.addon.resource import ADDRESS_TYPE, AddonResource

__all__ = ["ADDRESS_TYPE", "AddonResource"]
