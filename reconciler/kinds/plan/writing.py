"""Plan requests: the content every version carries, with references turned into ids."""

from __future__ import annotations

from reconciler.core.kind import Writer
from reconciler.core.live import Document, compact, owned_labels
from reconciler.kinds.plan.documents import FEATURE, TAX_CODE
from reconciler.kinds.plan.references import live_id
from reconciler.manifests.plan import Plan


def upsert_body(desired: Document, plan: Plan | None, writer: Writer) -> Document:
    """What a draft takes (PUT): everything but the key, currency and billing cadence."""
    phases = sorted(desired["phases"].items(), key=lambda item: item[1]["order"])
    return compact(
        {
            "name": desired["name"],
            "description": desired.get("description"),
            "labels": owned_labels(plan.metadata.labels if plan else None),
            "pro_rating_enabled": desired["pro_rating_enabled"],
            "phases": [_phase(key, phase, writer) for key, phase in phases],
        }
    )


def create_body(desired: Document, plan: Plan | None, writer: Writer) -> Document:
    return {
        "key": desired["key"],
        "currency": desired["currency"],
        "billing_cadence": desired["billing_cadence"],
        **upsert_body(desired, plan, writer),
    }


def _phase(key: str, phase: Document, writer: Writer) -> Document:
    return compact(
        {
            "key": key,
            "name": phase["name"],
            "description": phase.get("description"),
            "duration": phase.get("duration"),
            "rate_cards": [
                rate_card_body(card_key, card, writer)
                for card_key, card in phase["rate_cards"].items()
            ],
        }
    )


def rate_card_body(key: str, card: Document, writer: Writer) -> Document:
    body: Document = {
        "key": key,
        "name": card["name"],
        "description": card.get("description"),
        "billing_cadence": card.get("billing_cadence"),
        "price": _price(card["price"]),
        "payment_term": card.get("payment_term"),
    }
    if "feature" in card:
        body["feature"] = {"id": live_id(writer, FEATURE, card["feature"])}
    tax = card.get("tax_config")
    if tax is not None:
        code = {"id": live_id(writer, TAX_CODE, tax["tax_code"])}
        body["tax_config"] = compact({"code": code, "behavior": tax.get("behavior")})
    return compact(body)


def _price(price: Document) -> Document:
    if "tiers" not in price:
        return dict(price)
    tiers = [
        compact(
            {
                "up_to_amount": tier.get("up_to_amount"),
                "flat_price": _amount("flat", tier.get("flat_price")),
                "unit_price": _amount("unit", tier.get("unit_price")),
            }
        )
        for tier in price["tiers"]
    ]
    return {"type": price["type"], "tiers": tiers}


def _amount(type_: str, amount: str | None) -> Document | None:
    return None if amount is None else {"type": type_, "amount": amount}
