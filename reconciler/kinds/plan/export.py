"""Plan manifests from live plans: the version in effect of each key, with its references
by the names the export gave them (a tax code not exported keeps its live key)."""

from __future__ import annotations

from typing import Any

from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.live import Document, Live, compact
from reconciler.kinds.plan.documents import FEATURE, TAX_CODE, UNMODELLED, amount
from reconciler.kinds.plan.versions import ARCHIVED, DRAFT, PlanVersion
from reconciler.manifests.plan import Plan

ADDRESS_TYPE = "plan"
ADDON = "addon"


class Unexportable(Exception):
    """Why a live plan or add-on has no manifest form."""


def export_plans(context: ExportContext) -> None:
    plans = [p for p in context.live_of(ADDRESS_TYPE) if _exportable(p, context)]
    names = context.name_all(ADDRESS_TYPE, [(plan, plan.key) for plan in plans])
    for plan in sorted(plans, key=lambda live: names[live.id]):
        name = names[plan.id]
        try:
            spec = _spec(plan.raw, name, context)
            addons = _addons(plan, context)
            if addons:
                spec["addons"] = addons
        except Unexportable as reason:
            context.skip(ADDRESS_TYPE, plan.key, str(reason))
            continue
        document = manifest_document(Plan.KIND, name, plan, spec, needs_adoption=False)
        context.add(ADDRESS_TYPE, plan, document)


def _exportable(plan: Live, context: ExportContext) -> bool:
    if plan.raw["status"] == DRAFT:
        context.skip(ADDRESS_TYPE, plan.key, "only a draft version exists; publish it first")
        return False
    return True


def _spec(raw: Document, name: str, context: ExportContext) -> Document:
    return compact(
        {
            "key": raw["key"],
            "name": raw["name"] if raw["name"] != name else None,
            "description": raw.get("description") or None,
            "currency": raw["currency"],
            "billing_cadence": raw["billing_cadence"],
            "pro_rating": False if raw.get("pro_rating_enabled") is False else None,
            "archived": True if raw["status"] == ARCHIVED else None,
            "phases": [_phase(phase, context) for phase in raw["phases"]],
        }
    )


def _addons(plan: Live, context: ExportContext) -> list[Document]:
    assignments = plan.addons if isinstance(plan, PlanVersion) else ()
    return [
        compact(
            {
                "addon": _reference(context, ADDON, assignment["addon"]),
                "from_plan_phase": assignment["from_plan_phase"],
                "max_quantity": assignment.get("max_quantity"),
            }
        )
        for assignment in assignments
    ]


def _phase(phase: Document, context: ExportContext) -> Document:
    return compact(
        {
            "key": phase["key"],
            "name": phase["name"] if phase["name"] != phase["key"] else None,
            "description": phase.get("description") or None,
            "duration": phase.get("duration"),
            "rate_cards": [exported_card(card, context) for card in phase.get("rate_cards") or []],
        }
    )


def exported_card(card: Document, context: ExportContext) -> Document:
    unmodelled = [field for field in UNMODELLED if card.get(field)]
    if unmodelled:
        raise Unexportable(
            f"rate card {card['key']!r} has {', '.join(unmodelled)}, which a Plan manifest "
            "does not declare"
        )
    tax = card.get("tax_config")
    price = card["price"]
    return compact(
        {
            "key": card["key"],
            "name": card["name"] if card["name"] != card["key"] else None,
            "description": card.get("description") or None,
            "feature": _reference(context, FEATURE, card.get("feature")),
            "billing_cadence": card.get("billing_cadence"),
            "price": _price(price),
            "payment_term": "in_advance" if card.get("payment_term") == "in_advance" else None,
            "tax_config": (
                compact(
                    {
                        "tax_code": _reference(context, TAX_CODE, tax["code"]),
                        "behavior": tax.get("behavior"),
                    }
                )
                if tax
                else None
            ),
        }
    )


def _reference(context: ExportContext, address_type: str, ref: Any) -> str | None:
    if not ref:
        return None
    exported = context.name_of(address_type, ref["id"])
    if exported is not None:
        return exported
    live = next((o for o in context.live_of(address_type) if o.id == ref["id"]), None)
    if live is None or address_type != TAX_CODE:
        raise Unexportable(f"it sells a {address_type} that was not exported ({ref['id']})")
    return live.key  # a tax code export skips, such as one Konnect made itself


def _price(price: Document) -> Document:
    shown: Document = {"type": price["type"]}
    if "amount" in price:
        shown["amount"] = amount(price["amount"])
    if "tiers" in price:
        shown["tiers"] = [
            compact(
                {
                    "up_to_amount": amount(t["up_to_amount"]) if "up_to_amount" in t else None,
                    "flat_price": amount(t["flat_price"]["amount"]) if "flat_price" in t else None,
                    "unit_price": amount(t["unit_price"]["amount"]) if "unit_price" in t else None,
                }
            )
            for t in price["tiers"]
        ]
    return shown
