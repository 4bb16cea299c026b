"""What a plan's rate cards name: features and tax codes, each a manifest by its name or a
live object by its key. Checked at plan time, and turned into ids at apply time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.core.actions import Address
from reconciler.core.kind import World, Writer
from reconciler.core.live import Document, Live
from reconciler.kinds.plan.documents import FEATURE, TAX_CODE
from reconciler.manifests.plan import Plan, RateCard


@dataclass(frozen=True)
class Named:
    """A name a rate card gives, and where (`phases.<phase>.rate_cards.<card>`)."""

    address_type: str
    name: str
    card_key: str
    where: str


def named(plan: Plan) -> list[Named]:
    found = []
    for phase in plan.spec.phases:
        found += named_in_cards(phase.rate_cards, f"phases.{phase.key}.rate_cards")
    return found


def named_in_cards(cards: Sequence[RateCard], where: str) -> list[Named]:
    found = []
    for card in cards:
        at = f"{where}.{card.key}"
        if card.feature is not None:
            found.append(Named(FEATURE, card.feature, card.key, f"{at}.feature"))
        if card.tax_config is not None:
            tax_code = card.tax_config.tax_code
            found.append(Named(TAX_CODE, tax_code, card.key, f"{at}.tax_config.tax_code"))
    return found


def live_by_key(world: World, address_type: str, key: str) -> Live | None:
    return next((live for live in world.live.get(address_type, []) if live.key == key), None)


def problems(names: Sequence[Named], world: World) -> list[str]:
    """Why the references cannot be written; empty when they all can."""
    return [problem for name in names if (problem := _problem(name, world)) is not None]


def _problem(name: Named, world: World) -> str | None:
    what = "feature" if name.address_type == FEATURE else "tax code"
    desired = world.desired_of(Address(type=name.address_type, name=name.name))
    if desired is not None:
        return _feature_key(name, desired.key)
    live = live_by_key(world, name.address_type, name.name)
    if live is None:
        kind = "Feature" if name.address_type == FEATURE else "TaxCode"
        return (
            f"{name.where} names {what} {name.name!r}: no {kind} manifest has that name and "
            f"Konnect has no {what} with that key"
        )
    bound = world.address_by_id(name.address_type, live.id)
    if bound is not None and bound.name != name.name:
        return f"{name.where}: {what} {name.name!r} is declared as {bound}; name it so"
    if name.address_type == TAX_CODE and not _maps_to_stripe(live):
        return (
            f"{name.where}: tax code {name.name!r} maps to no Stripe tax code, so Stripe Tax "
            "would not know what its invoice lines are; add a Stripe mapping or name another"
        )
    return _feature_key(name, live.key)


def _feature_key(name: Named, key: str) -> str | None:
    if name.address_type != FEATURE or key == name.card_key:
        return None
    return (
        f"{name.where}: the rate card's key {name.card_key!r} must be its feature's key "
        f"{key!r} (Konnect refuses it otherwise)"
    )


def _maps_to_stripe(tax_code: Live) -> bool:
    mappings = tax_code.raw.get("app_mappings") or []
    return any(m.get("app_type") == "stripe" and m.get("tax_code") for m in mappings)


def live_id(writer: Writer, address_type: str, name: str) -> str:
    """The id behind a reference: a declared object's (perhaps created in this apply), else
    the live object with that key."""
    try:
        return writer.id_of(Address(type=address_type, name=name))
    except LookupError:
        pass
    live = live_by_key(writer.world, address_type, name)
    if live is None:
        raise LookupError(f"no {address_type} {name!r} to refer to")
    return live.id


def live_features(world: World, cards: Sequence[Document]) -> frozenset[Address]:
    """The features live rate cards sell: Konnect keeps them in the version, so such a
    feature cannot be replaced under it."""
    found = set()
    for card in cards:
        address = world.address_by_id(FEATURE, (card.get("feature") or {}).get("id"))
        if address is not None:
            found.add(address)
    return frozenset(found)
