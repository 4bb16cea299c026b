"""What a live billing profile says of itself, as the other modules of the kind read it."""

from __future__ import annotations

from reconciler.core.live import Document

ADDRESS_TYPE = "billing_profile"


def app_id(raw: Document) -> str | None:
    """The app the profile invoices through (Konnect takes one app for all three roles)."""
    invoicing: str | None = ((raw.get("apps") or {}).get("invoicing") or {}).get("id")
    return invoicing


def payment_app_id(raw: Document) -> str | None:
    """The app a live profile takes payments through: the Stripe account its customers'
    Stripe customers, and the checkouts made for them, belong to."""
    payment: str | None = ((raw.get("apps") or {}).get("payment") or {}).get("id")
    return payment


def supplier(raw: Document) -> Document:
    return {k: v for k, v in (raw.get("supplier") or {}).items() if k != "id"}
