"""Features (`/features`): what a plan's rate cards sell, optionally metered by a meter.

The server's rules: a key is unique among features not archived (409) and is not a ULID;
the meter must exist (404) and a filter may only name the meter's dimensions (400).
DELETE archives (sets `deleted_at`); PATCH changes only the unit cost.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import is_ulid, new_ulid
from reconciler.sandbox.konnect_api.catalog_lists import (
    ULID_OPERATORS,
    CatalogList,
    FilterField,
)
from reconciler.sandbox.konnect_api.catalog_objects import CatalogCollection, live, render
from reconciler.sandbox.konnect_api.catalog_schemas import Numeric
from reconciler.sandbox.konnect_api.collection_names import FEATURES, METERS
from reconciler.sandbox.konnect_api.endpoint import json, no_content, parse_body, path_id
from reconciler.sandbox.konnect_api.errors import invalid, not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.schemas import (
    ULID,
    Description,
    Labels,
    Name,
    ResourceKey,
    Sealed,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document

METER_ID = "_meter_id"  # for the meter_id filter and the meter's in-use check
LIST = CatalogList(
    collection=FEATURES,
    sort_fields=("key", "name", "created_at", "updated_at"),
    filters={
        "meter_id": FilterField(METER_ID, ULID_OPERATORS, ulid=True),
        "key": FilterField("key"),
        "name": FilterField("name"),
    },
)


class MeterReference(Sealed):
    id: ULID
    filters: dict[str, dict[str, Any]] | None = None


class ManualUnitCost(Sealed):
    type: Literal["manual"]
    amount: Numeric


class LlmUnitCost(Sealed):
    """Accepted as the document shapes it; the sandbox prices no LLM usage."""

    type: Literal["llm"]
    provider_property: str | None = None
    provider: str | None = None
    model_property: str | None = None
    model: str | None = None
    token_type_property: str | None = None
    token_type: str | None = None


class CreateFeature(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    key: ResourceKey
    meter: MeterReference | None = None
    unit_cost: ManualUnitCost | LlmUnitCost | None = None


class UpdateFeature(Sealed):
    unit_cost: ManualUnitCost | LlmUnitCost | None = None


def _meter(sandbox: Sandbox, reference: MeterReference) -> Document:
    meter = live(sandbox, METERS, reference.id)
    if meter is None:
        raise not_found("meter")
    dimensions = meter.get("dimensions") or {}
    for name in reference.filters or {}:
        if name not in dimensions:
            raise invalid(
                f"meter.filters.{name}",
                f"filter key {name!r} is not a valid dimension of meter {meter['key']!r}",
            )
    return meter


def _unit_cost(sandbox: Sandbox, body: CreateFeature | UpdateFeature) -> Document | None:
    cost = body.unit_cost
    if cost is None:
        return None
    if isinstance(cost, LlmUnitCost) and isinstance(body, CreateFeature) and body.meter is None:
        raise invalid("unit_cost", "LLM unit cost requires a meter associated with the feature")
    return cost.present()


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateFeature)
    if is_ulid(body.key.upper()) and len(body.key) == 26:
        raise invalid("key", "Feature key cannot be a valid ULID")
    feature = stamp_new(
        {
            "id": new_ulid(),
            "key": body.key,
            "name": body.name,
            "labels": check_labels(body.labels),
        }
    )
    set_optional(feature, "description", body.description)
    if body.meter is not None:
        meter = _meter(sandbox, body.meter)
        feature["meter"] = body.meter.present()
        feature[METER_ID] = meter["id"]
    set_optional(feature, "unit_cost", _unit_cost(sandbox, body))
    store = sandbox.store
    with store.transaction():
        if store.count(FEATURES, {"key": body.key, "deleted_at": None}):
            raise problem(409, f"feature with key {body.key} already exists")
        store.put(FEATURES, feature["id"], feature)
    return json(render(feature), 201)


def _stored(request: Request, sandbox: Sandbox) -> Document:
    feature = sandbox.store.get(FEATURES, path_id(request, "feature_id", "feature"))
    if feature is None:
        raise not_found("feature")
    return feature


def _update(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpdateFeature)
    store = sandbox.store
    with store.transaction():
        feature = _stored(request, sandbox)
        if feature.get("deleted_at"):
            raise not_found("feature")
        set_optional(feature, "unit_cost", _unit_cost(sandbox, body))
        feature["updated_at"] = rfc3339_now()
        store.put(FEATURES, feature["id"], feature)
    return json(render(feature))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        feature = _stored(request, sandbox)
        if not feature.get("deleted_at"):
            feature["deleted_at"] = rfc3339_now()
            store.put(FEATURES, feature["id"], feature)
    return no_content()


def routes() -> list[BaseRoute]:
    collection = CatalogCollection("/features", "feature_id", LIST, render, _stored)
    return collection.routes(_create, _update, _delete, update_method="PATCH")
