"""Plans (`/plans`): versions of a plan by key, each a draft, then active, then archived.

The server's rules (OpenMeter's plan service):
- creating a plan whose key exists makes the next version, as a draft, unless a draft of
  that key exists already (400: one draft per plan);
- only drafts change (PUT) and are published; publishing version N > 1 archives the version
  active until then, at the same instant, so a plan never has two active versions;
- only the active version is archived; an active version cannot be deleted;
- content problems that cannot be stored are a 400, the others are kept in
  `validation_errors` and refuse the publish.
The v3 server takes labels on plans, phases and rate cards but renders none of them back,
and so does the sandbox.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
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
from reconciler.sandbox.konnect_api.collection_names import PLANS
from reconciler.sandbox.konnect_api.endpoint import endpoint, json, no_content, parse_body, path_id
from reconciler.sandbox.konnect_api.errors import KonnectError, invalid, not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.plan_rules import critical_issues, refuse, warnings
from reconciler.sandbox.konnect_api.schemas import public, set_optional, stamp_new
from reconciler.sandbox.store import Document

LABELS = "_labels"  # kept, never rendered: the v3 plan has no labels on read
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


def _rate_card(card: RateCard) -> Document:
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
        "rate_cards": [_rate_card(card) for card in phase.rate_cards],
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


async def _create(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, CreatePlan)
    plan: Document = {
        "id": new_ulid(),
        "key": body.key,
        "currency": body.currency,
        "billing_cadence": body.billing_cadence,
        "status": "draft",
        "settlement_mode": "credit_then_invoice",
    }
    _set_content(plan, body, sandbox)
    store = sandbox.store
    with store.transaction():
        versions = store.find(PLANS, {"key": body.key})
        if any(v["status"] == "draft" and not v.get("deleted_at") for v in versions):
            raise invalid("key", "only a single draft version is allowed for Plan")
        plan["version"] = max((v["version"] for v in versions), default=0) + 1
        stamp_new(plan)
        store.put(PLANS, plan["id"], plan)
    return json(render(plan), 201)


async def _list(request: Request, sandbox: Sandbox) -> Response:
    return await LIST.answer(request, sandbox, render)


def _stored(request: Request, sandbox: Sandbox) -> Document:
    plan = sandbox.store.get(PLANS, path_id(request, "plan_id", "plan"))
    if plan is None:
        raise not_found("plan")
    return plan


async def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(render(_stored(request, sandbox)))


def _refuse_status(plan: Document, allowed: tuple[str, ...], doing: str) -> None:
    if plan["status"] not in allowed:
        raise _refused(
            f"only Plans in {list(allowed)} can be {doing}, but it has {plan['status']} state"
        )


def _refused(reason: str) -> KonnectError:
    """A 400 about the plan as a whole: the document's 400 names a field, here `status`."""
    return problem(
        400, reason, [{"field": "status", "reason": reason, "rule": "invalid", "source": "path"}]
    )


async def _update(request: Request, sandbox: Sandbox) -> Response:
    body = await parse_body(request, UpsertPlan)
    store = sandbox.store
    with store.transaction():
        plan = _stored(request, sandbox)
        if plan.get("deleted_at"):
            raise problem(410, "plan has been deleted")
        _refuse_status(plan, ("draft", "scheduled"), "updated")
        _set_content(plan, body, sandbox)
        plan["updated_at"] = rfc3339_now()
        store.put(PLANS, plan["id"], plan)
    return json(render(plan))


async def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        plan = _stored(request, sandbox)
        if not plan.get("deleted_at"):
            _refuse_status(plan, ("archived", "scheduled", "draft"), "deleted")
            plan["deleted_at"] = rfc3339_now()
            store.put(PLANS, plan["id"], plan)
    return no_content()


async def _publish(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        plan = _stored(request, sandbox)
        if plan.get("deleted_at"):
            raise _refused("cannot publish a deleted Plan")
        _refuse_status(plan, ("draft", "scheduled"), "published/rescheduled")
        if plan.get("validation_errors"):
            messages = "; ".join(issue["message"] for issue in plan["validation_errors"])
            raise _refused(f"invalid plan [key={plan['key']}]: {messages}")
        now = rfc3339_now()
        for active in store.find(PLANS, {"key": plan["key"], "status": "active"}):
            active.update({"status": "archived", "effective_to": now, "updated_at": now})
            store.put(PLANS, active["id"], active)
        plan.update({"status": "active", "effective_from": now, "updated_at": now})
        store.put(PLANS, plan["id"], plan)
    return json(render(plan))


async def _archive(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        plan = _stored(request, sandbox)
        _refuse_status(plan, ("active",), "archived")
        now = rfc3339_now()
        plan.update({"status": "archived", "effective_to": now, "updated_at": now})
        store.put(PLANS, plan["id"], plan)
    return json(render(plan))


def routes() -> list[BaseRoute]:
    return [
        Route("/plans", endpoint(_list, LIST.query), methods=["GET"]),
        Route("/plans", endpoint(_create), methods=["POST"]),
        Route("/plans/{plan_id}", endpoint(_get), methods=["GET"]),
        Route("/plans/{plan_id}", endpoint(_update), methods=["PUT"]),
        Route("/plans/{plan_id}", endpoint(_delete), methods=["DELETE"]),
        Route("/plans/{plan_id}/publish", endpoint(_publish), methods=["POST"]),
        Route("/plans/{plan_id}/archive", endpoint(_archive), methods=["POST"]),
    ]
