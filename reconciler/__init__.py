"""reconcile: billing configuration as code for Konnect Metering & Billing and Stripe."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
