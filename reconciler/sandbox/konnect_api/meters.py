"""Meters (`/meters`): what usage events are aggregated, and how.

The server's rules: keys are unique among live meters (409), a value property (a JSON path
starting with `$`) is required except for `count`, which takes none; dimensions map names
(letters, digits, `_`) to JSON paths. Only the name, description, labels and dimensions
change after creation; a meter that active features use cannot be deleted (409).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AwareDatetime, StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.catalog_lists import CatalogList, FilterField
from reconciler.sandbox.konnect_api.catalog_objects import CatalogCollection, render
from reconciler.sandbox.konnect_api.collection_names import FEATURES, METERS
from reconciler.sandbox.konnect_api.endpoint import json, no_content, parse_body, path_id
from reconciler.sandbox.konnect_api.errors import invalid, not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels
from reconciler.sandbox.konnect_api.schemas import (
    Description,
    Labels,
    Name,
    ResourceKey,
    Sealed,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document

Aggregation = Literal["sum", "count", "unique_count", "avg", "min", "max", "latest"]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
_DIMENSION_NAME = re.compile(r"^[A-Za-z0-9_]+$")
LIST = CatalogList(
    collection=METERS,
    sort_fields=("key", "name", "aggregation", "created_at", "updated_at"),
    filters={"key": FilterField("key"), "name": FilterField("name")},
)


class UpdateMeter(Sealed):
    name: Name | None = None
    description: Description | None = None
    labels: Labels | None = None
    dimensions: dict[str, str] | None = None


class CreateMeter(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    key: ResourceKey
    aggregation: Aggregation
    event_type: NonEmpty
    events_from: AwareDatetime | None = None
    value_property: NonEmpty | None = None
    dimensions: dict[str, str] | None = None


def _check_value_property(aggregation: str, value_property: str | None) -> None:
    if aggregation == "count":
        if value_property is not None:
            raise invalid(
                "value_property",
                "meter value property is not allowed when the aggregation is count",
            )
        return
    if value_property is None:
        raise invalid(
            "value_property",
            "meter value property is required when the aggregation is not count",
            "required",
        )
    if not value_property.startswith("$"):
        raise invalid("value_property", "meter value property must start with $")


def _check_dimensions(dimensions: dict[str, str], value_property: str | None) -> None:
    for name, path in dimensions.items():
        if not _DIMENSION_NAME.match(name):
            raise invalid(
                f"dimensions.{name}",
                f"meter group by key {name} is invalid, only alphanumeric and underscore "
                "characters are allowed",
            )
        if not path.startswith("$"):
            raise invalid(f"dimensions.{name}", f"meter group by value must start with $ ({name})")
        if path == value_property:
            raise invalid(
                f"dimensions.{name}",
                f"meter group by value {name} cannot be the same as value property",
            )


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateMeter)
    _check_value_property(body.aggregation, body.value_property)
    dimensions = body.dimensions or {}
    _check_dimensions(dimensions, body.value_property)
    meter = stamp_new(
        {
            "id": new_ulid(),
            "key": body.key,
            "name": body.name,
            "labels": check_labels(body.labels),
            "aggregation": body.aggregation,
            "event_type": body.event_type,
            "dimensions": dimensions,
        }
    )
    set_optional(meter, "description", body.description)
    set_optional(meter, "value_property", body.value_property)
    if body.events_from is not None:
        meter["events_from"] = body.events_from.isoformat().replace("+00:00", "Z")
    store = sandbox.store
    with store.transaction():
        if store.count(METERS, {"key": body.key, "deleted_at": None}):
            raise problem(409, "meter with the same slug already exists")
        store.put(METERS, meter["id"], meter)
    return json(render(meter), 201)


def _stored(request: Request, sandbox: Sandbox) -> Document:
    meter = sandbox.store.get(METERS, path_id(request, "meter_id", "meter"))
    if meter is None or meter.get("deleted_at"):
        raise not_found("meter")
    return meter


def _update(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpdateMeter)
    store = sandbox.store
    with store.transaction():
        meter = _stored(request, sandbox)
        if body.name is not None:
            meter["name"] = body.name
        if body.description is not None:
            meter["description"] = body.description
        if body.labels is not None:
            meter["labels"] = check_labels(body.labels)
        if body.dimensions is not None:
            _check_dimensions(body.dimensions, meter.get("value_property"))
            meter["dimensions"] = body.dimensions
        meter["updated_at"] = rfc3339_now()
        store.put(METERS, meter["id"], meter)
    return json(render(meter))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        meter = _stored(request, sandbox)
        if store.count(FEATURES, {"_meter_id": meter["id"], "deleted_at": None}):
            raise problem(409, "meter has active features and cannot be deleted")
        meter["deleted_at"] = rfc3339_now()
        store.put(METERS, meter["id"], meter)
    return no_content()


def routes() -> list[BaseRoute]:
    collection = CatalogCollection("/meters", "meter_id", LIST, render, _stored)
    return collection.routes(_create, _update, _delete)
