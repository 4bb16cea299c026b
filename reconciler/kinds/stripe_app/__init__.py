"""StripeApp: the Stripe app installed in Konnect, its key checked by fingerprint only."""

from __future__ import annotations

from reconciler.kinds.stripe_app.resource import ADDRESS_TYPE, INSTALLED, StripeAppResource

__all__ = ["ADDRESS_TYPE", "INSTALLED", "StripeAppResource"]
