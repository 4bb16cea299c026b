"""Plans (`/plans`): versions of a plan by key (see `catalog_versions` for the rules they
share with add-ons), with phases of rate cards.

Content problems that cannot be stored are a 400; the others are kept in `validation_errors`
and refuse the publish. The v3 server takes labels on plans, phases and rate cards but
renders none of them back, and so does the sandbox.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.catalog_lists import (
    EXACT_OPERATORS,
    CatalogList,
    FilterField,
)
from reconciler.sandbox.konnect_api.catalog_schemas import (
    USAGE_PRICES,
    CreatePlan,
    Phase,
    RateCard,
    Tier,
    UpsertPlan,
    canonical_number,
)
from reconciler.sandbox.konnect_api.catalog_versions import PLAN_VERSIONS, versioned_routes
from reconciler.sandbox.konnect_api.collection_names import PLANS
from reconciler.sandbox.konnect_api.endpoint import json, parse_body
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.plan_addons import publish_issues
from reconciler.sandbox.konnect_api.plan_rules import critical_issues, refuse, warnings
from reconciler.sandbox.konnect_api.schemas import public, set_optional
from reconciler.sandbox.store import Document

LABELS = "_labels"  # kept, never rendered: the v3 plan has no labels on read
VERSIONS = PLAN_VERSIONS
LIST = CatalogList(
    collection=PLANS,
    sort_fields=("id", "key", "version", "created_at", "updated_at"),
    filters={
        "key": FilterField("key"),
        "name": FilterField("name"),
        "status": FilterField("status", EXACT_OPERATORS),
        "currency": FilterField("currency", EXACT_OPERATORS),
    },
)


def render(plan: Document) -> Document:
    shown = public(plan)
    if not shown.get("validation_errors"):
        shown.pop("validation_errors", None)
    return shown


def _amount(price: Document) -> Document:
    return {**price, "amount": canonical_number(price["amount"])}


def _tier(tier: Tier) -> Document:
    stored: Document = {}
    if tier.up_to_amount is not None:
        stored["up_to_amount"] = canonical_number(tier.up_to_amount)
    if tier.flat_price is not None:
        stored["flat_price"] = _amount(tier.flat_price.present())
    if tier.unit_price is not None:
        stored["unit_price"] = _amount(tier.unit_price.present())
    return stored


def _price(card: RateCard) -> Document:
    price = card.price
    if price.type in ("flat", "unit"):
        return _amount(price.present())
    tiers = getattr(price, "tiers", None)
    if tiers is not None:
        return {"type": price.type, "tiers": [_tier(tier) for tier in tiers]}
    return {"type": "free"}


def stored_rate_card(card: RateCard) -> Document:
    """A rate card as the server stores and renders it (labels dropped, amounts canonical)."""
    stored: Document = {"key": card.key, "name": card.name, "price": _price(card)}
    optional: dict[str, Any] = {
        "description": card.description,
        "feature": card.feature.present() if card.feature else None,
        "currency": card.currency,
        "billing_cadence": card.billing_cadence,
        "tax_config": card.tax_config.present() if card.tax_config else None,
        "discounts": card.discounts.present() if card.discounts else None,
        "entitlement": card.entitlement,
    }
    if card.price.type == "flat":
        optional["payment_term"] = card.payment_term or "in_arrears"
    if card.price.type in USAGE_PRICES and card.commitments is not None:
        optional["commitments"] = {
            field: canonical_number(value) for field, value in card.commitments.present().items()
        }
    if card.unit_config is not None:
        optional["unit_config"] = {"rounding": "none", "precision": 0, **card.unit_config}
    for field, value in optional.items():
        set_optional(stored, field, value)
    return stored


def _phase(phase: Phase) -> Document:
    stored: Document = {
        "key": phase.key,
        "name": phase.name,
        "rate_cards": [stored_rate_card(card) for card in phase.rate_cards],
    }
    set_optional(stored, "description", phase.description)
    set_optional(stored, "duration", phase.duration)
    return stored


def _set_content(plan: Document, body: UpsertPlan, sandbox: Sandbox) -> None:
    for phase in body.phases:
        check_labels(phase.labels, "phases.labels")
        for card in phase.rate_cards:
            check_labels(card.labels, "phases.rate_cards.labels")
    issues = critical_issues(sandbox, plan["currency"], plan["billing_cadence"], body.phases)
    if issues:
        raise refuse(issues)
    plan["name"] = body.name
    plan[LABELS] = check_labels(body.labels)
    set_optional(plan, "description", body.description)
    plan["pro_rating_enabled"] = body.pro_rating_enabled is not False
    plan["phases"] = [_phase(phase) for phase in body.phases]
    plan["validation_errors"] = [issue.present() for issue in warnings(body.phases)]


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreatePlan)
    plan: Document = {
        "id": new_ulid(),
        "key": body.key,
        "currency": body.currency,
        "billing_cadence": body.billing_cadence,
        "settlement_mode": "credit_then_invoice",
    }
    _set_content(plan, body, sandbox)
    return json(render(VERSIONS.add(sandbox, plan)), 201)


def routes() -> list[BaseRoute]:
    return versioned_routes(
        VERSIONS, "/plans", LIST, render, _create, (UpsertPlan, _set_content), held=publish_issues
    )
