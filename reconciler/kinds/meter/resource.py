"""Meter: a Konnect meter matched by key.

Konnect changes only a meter's name, description, labels and dimensions; the key, event
type, aggregation and value property force a replacement, which deletes the old meter
first (a live meter holds its key) and is refused while live features use the meter.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.kind import DesiredContext, World, Writer
from reconciler.core.live import (
    Desired,
    Document,
    Live,
    compact,
    few,
    owned_labels,
    user_labels,
)
from reconciler.kinds.creation import create_once
from reconciler.kinds.keyed_catalog import KeyedCatalogResource, exported_by_name
from reconciler.manifests.meter import Meter

ADDRESS_TYPE = "meter"
_CONTENT = ("event_type", "aggregation", "value_property")


class MeterResource(KeyedCatalogResource):
    address_type = ADDRESS_TYPE
    collection_route = routes.METERS
    object_route = routes.METER
    id_parameter = "meterId"
    immutable = frozenset({"key", *_CONTENT})

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=meter.name),
                key=meter.spec.key,
                document=compact(
                    {
                        "key": meter.spec.key,
                        "name": meter.konnect_name,
                        "description": meter.spec.description,
                        "labels": owned_labels(meter.metadata.labels),
                        "event_type": meter.spec.event_type,
                        "aggregation": meter.spec.aggregation,
                        "value_property": meter.spec.value_property,
                        "dimensions": meter.spec.dimensions or None,
                    }
                ),
                adopt=meter.metadata.adopt,
            )
            for meter in context.manifests.of_kind(Meter)
        ]

    def live_document(self, live: Live, world: World) -> Document:
        raw = live.raw
        return compact(
            {
                "key": raw.get("key"),
                "name": raw.get("name"),
                "description": raw.get("description") or None,  # cleared is ""
                "labels": user_labels(raw.get("labels")),
                **{field: raw.get(field) for field in _CONTENT},
                "dimensions": raw.get("dimensions") or None,
            }
        )

    def in_use(self, action: Action, users: Sequence[Address]) -> str:
        consequence = (
            "a change to its key, event type, aggregation or value property replaces it: "
            "declare a meter with another key and move the features to it, or keep those fields"
            if action.type is ActionType.REPLACE
            else "delete the features in the same plan, or keep the meter in the manifests"
        )
        return (
            f"Konnect refuses to delete a meter that live features use ({few(users)}); "
            + consequence
        )

    def create(self, desired: Desired, writer: Writer) -> str:
        def post() -> str:
            body = {field: desired.document.get(field) for field in ("key", *_CONTENT)}
            meter_id: str = writer.konnect.post(routes.METERS, compact(body | _body(desired)))["id"]
            return meter_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        writer.konnect.put(routes.METER, _body(desired), path={"meterId": live.id})
        return live.id

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        labels = owned_labels(user_labels(live.raw.get("labels")))
        konnect.put(routes.METER, {"labels": labels}, path={"meterId": live.id})

    def export(self, context: ExportContext) -> None:
        for name, meter in exported_by_name(context, ADDRESS_TYPE):
            raw = meter.raw
            spec = compact(
                {
                    "key": meter.key,
                    "name": raw["name"] if raw["name"] != name else None,
                    "description": raw.get("description") or None,
                    **{field: raw.get(field) for field in _CONTENT},
                    "dimensions": raw.get("dimensions") or None,
                }
            )
            document = manifest_document(Meter.KIND, name, meter, spec, needs_adoption=True)
            context.add(ADDRESS_TYPE, meter, document)


def _body(desired: Desired) -> Document:
    """What an update may change; sent whole, so a removed description is cleared too."""
    document = desired.document
    return {
        "name": document["name"],
        "description": document.get("description", ""),
        "labels": document["labels"],
        "dimensions": document.get("dimensions", {}),
    }
