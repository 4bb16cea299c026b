"""Add-ons (`/addons`): rate cards a subscription can add to its plan, in versions by key as
plans have them (`catalog_versions`). Labels are rendered, unlike a plan's.

The server's rules beyond the versions: a `single` add-on is bought once, a `multiple` one
in quantities, which a flat price cannot be bought in (a warning that refuses the publish);
rate cards follow the plans' rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.catalog_lists import (
    EXACT_OPERATORS,
    ULID_OPERATORS,
    CatalogList,
    FilterField,
)
from reconciler.sandbox.konnect_api.catalog_objects import render as labelled
from reconciler.sandbox.konnect_api.catalog_schemas import Currency, RateCard
from reconciler.sandbox.konnect_api.catalog_versions import Versions, versioned_routes
from reconciler.sandbox.konnect_api.collection_names import ADDONS
from reconciler.sandbox.konnect_api.endpoint import json, parse_body
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.plan_rules import (
    Issue,
    currency_issues,
    rate_card_issues,
    refuse,
    usage_warnings,
)
from reconciler.sandbox.konnect_api.plans import stored_rate_card
from reconciler.sandbox.konnect_api.schemas import (
    Description,
    Labels,
    Name,
    ResourceKey,
    Sealed,
    set_optional,
)
from reconciler.sandbox.store import Document

VERSIONS = Versions(ADDONS, "add-on", "addon_id")
LIST = CatalogList(
    collection=ADDONS,
    sort_fields=("id", "key", "version", "created_at", "updated_at"),
    filters={
        "id": FilterField("id", ULID_OPERATORS, ulid=True),
        "key": FilterField("key"),
        "name": FilterField("name"),
        "status": FilterField("status", EXACT_OPERATORS),
        "currency": FilterField("currency", EXACT_OPERATORS),
    },
)
InstanceType = Literal["single", "multiple"]


class UpsertAddon(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    instance_type: InstanceType
    rate_cards: Annotated[list[RateCard], Field()]


class CreateAddon(UpsertAddon):
    key: ResourceKey
    currency: Currency


def render(addon: Document) -> Document:
    shown = labelled(addon)
    if not shown.get("validation_errors"):
        shown.pop("validation_errors", None)
    return shown


def _warnings(body: UpsertAddon) -> list[Issue]:
    issues = []
    if not body.rate_cards:
        issues.append(
            Issue(
                "addon_has_no_rate_cards", "add-on must have at least one rate card", "rate_cards"
            )
        )
    for index, card in enumerate(body.rate_cards):
        at = f"rate_cards[{index}]"
        issues.extend(usage_warnings(at, card))
        if body.instance_type == "multiple" and card.price.type == "flat":
            issues.append(
                Issue(
                    "addon_invalid_price_for_multi_instance",
                    "multi-instance add-on must not have a flat price",
                    f"{at}.price",
                )
            )
    return issues


def _set_content(addon: Document, body: UpsertAddon, sandbox: Sandbox) -> None:
    for card in body.rate_cards:
        check_labels(card.labels, "rate_cards.labels")
    issues = currency_issues(addon["currency"]) + rate_card_issues(sandbox, "body", body.rate_cards)
    if issues:
        raise refuse(issues)
    addon.update(
        {
            "name": body.name,
            "labels": check_labels(body.labels),
            "instance_type": body.instance_type,
            "rate_cards": [stored_rate_card(card) for card in body.rate_cards],
            "validation_errors": [issue.present() for issue in _warnings(body)],
        }
    )
    set_optional(addon, "description", body.description)


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateAddon)
    addon: Document = {"id": new_ulid(), "key": body.key, "currency": body.currency}
    _set_content(addon, body, sandbox)
    return json(render(VERSIONS.add(sandbox, addon)), 201)


def routes() -> list[BaseRoute]:
    return versioned_routes(VERSIONS, "/addons", LIST, render, _create, (UpsertAddon, _set_content))
