"""The embedded sandbox: Konnect Metering & Billing v3 and Stripe, emulated over real HTTP."""

from __future__ import annotations

from reconciler.sandbox.app import create_app
from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer", "create_app"]
