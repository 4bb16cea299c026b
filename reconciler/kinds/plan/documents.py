"""A plan as a document both sides agree on: phases and rate cards keyed by their keys (so
a diff names `phases.default.rate_cards.api_calls.price.amount`), references by manifest
name, amounts in one spelling, and the API's defaults filled in."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from reconciler.core.live import Document, compact
from reconciler.manifests.plan import (
    FlatPrice,
    GraduatedPrice,
    Phase,
    Plan,
    RateCard,
    Tier,
    UnitPrice,
    VolumePrice,
)

# How a reference is named in the document: (kind address type, live id) -> name.
Namer = Callable[[str, str | None], str | None]
FEATURE, TAX_CODE = "feature", "tax_code"
# What Konnect keeps on a rate card that a manifest does not declare: shown if present, so
# that a plan made elsewhere is not silently stripped by a new version.
UNMODELLED = ("entitlement", "discounts", "commitments", "unit_config", "currency")


def amount(text: str) -> str:
    """A decimal as Konnect prints it back: no trailing zeros, no exponent."""
    value = Decimal(text).normalize()
    return "0" if value == 0 else format(value, "f")


def desired_document(plan: Plan) -> Document:
    spec = plan.spec
    return compact(
        {
            "key": spec.key,
            "name": plan.konnect_name,
            "description": spec.description,
            "currency": spec.currency,
            "billing_cadence": spec.billing_cadence,
            "pro_rating_enabled": spec.pro_rating,
            "status": "archived" if spec.archived else "active",
            "phases": {
                phase.key: _desired_phase(index, phase) for index, phase in enumerate(spec.phases)
            },
        }
    )


def _desired_phase(index: int, phase: Phase) -> Document:
    return {
        "order": index + 1,
        "name": phase.name or phase.key,
        "description": phase.description,
        "duration": phase.duration,
        "rate_cards": {card.key: desired_card(card) for card in phase.rate_cards},
    }


def desired_card(card: RateCard) -> Document:
    price = card.price
    priced: Document = {"type": price.type}
    if isinstance(price, FlatPrice | UnitPrice):
        priced["amount"] = amount(price.amount)
    if isinstance(price, GraduatedPrice | VolumePrice):
        priced["tiers"] = [_desired_tier(tier) for tier in price.tiers]
    tax = card.tax_config
    return {
        "name": card.name or card.key,
        "description": card.description,
        "feature": card.feature,
        "billing_cadence": card.billing_cadence,
        "price": priced,
        "payment_term": (card.payment_term or "in_arrears") if price.type == "flat" else None,
        "tax_config": {"tax_code": tax.tax_code, "behavior": tax.behavior} if tax else None,
    }


def _desired_tier(tier: Tier) -> Document:
    return compact(
        {
            "up_to_amount": amount(tier.up_to_amount) if tier.up_to_amount else None,
            "flat_price": amount(tier.flat_price) if tier.flat_price else None,
            "unit_price": amount(tier.unit_price) if tier.unit_price else None,
        }
    )


def live_document(raw: Document, name_of: Namer) -> Document:
    return compact(
        {
            "key": raw.get("key"),
            "name": raw.get("name"),
            "description": raw.get("description") or None,
            "currency": raw.get("currency"),
            "billing_cadence": raw.get("billing_cadence"),
            "pro_rating_enabled": raw.get("pro_rating_enabled", True),
            "status": raw.get("status"),
            "phases": {
                phase["key"]: _live_phase(index, phase, name_of)
                for index, phase in enumerate(raw.get("phases") or [])
            },
        }
    )


def _live_phase(index: int, phase: Document, name_of: Namer) -> Document:
    return {
        "order": index + 1,
        "name": phase.get("name"),
        "description": phase.get("description") or None,
        "duration": phase.get("duration"),
        "rate_cards": {
            card["key"]: live_card(card, name_of) for card in phase.get("rate_cards") or []
        },
    }


def live_card(card: Document, name_of: Namer) -> Document:
    tax = card.get("tax_config")
    document: Document = {
        "name": card.get("name"),
        "description": card.get("description") or None,
        "feature": name_of(FEATURE, (card.get("feature") or {}).get("id")),
        "billing_cadence": card.get("billing_cadence"),
        "price": _live_price(card.get("price") or {"type": "free"}),
        "payment_term": card.get("payment_term"),
        "tax_config": (
            {"tax_code": name_of(TAX_CODE, tax["code"]["id"]), "behavior": tax.get("behavior")}
            if tax
            else None
        ),
    }
    document.update({field: card[field] for field in UNMODELLED if card.get(field)})
    return document


def _live_price(price: Document) -> Document:
    shown: dict[str, Any] = {"type": price["type"]}
    if "amount" in price:
        shown["amount"] = amount(price["amount"])
    if "tiers" in price:
        shown["tiers"] = [_live_tier(tier) for tier in price["tiers"]]
    return shown


def _live_tier(tier: Document) -> Document:
    return compact(
        {
            "up_to_amount": amount(tier["up_to_amount"]) if "up_to_amount" in tier else None,
            "flat_price": amount(tier["flat_price"]["amount"]) if "flat_price" in tier else None,
            "unit_price": amount(tier["unit_price"]["amount"]) if "unit_price" in tier else None,
        }
    )
