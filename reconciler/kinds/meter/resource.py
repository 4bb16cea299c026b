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
from reconciler.core.kind import DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import (
    Desired,
    Document,
    Live,
    compact,
    fetch_live,
    few,
    owned_labels,
    user_labels,
)
from reconciler.kinds.creation import create_once
from reconciler.manifests.meter import Meter

ADDRESS_TYPE = "meter"
_CONTENT = ("event_type", "aggregation", "value_property")


class MeterResource(Resource):
    address_type = ADDRESS_TYPE
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

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _meters(sources.konnect)

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

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_live(konnect, routes.METER, {"meterId": live.id}, "key")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((meter for meter in _meters(konnect) if meter.key == desired.key), None)

    def create(self, desired: Desired, writer: Writer) -> str:
        def post() -> str:
            body = {field: desired.document.get(field) for field in ("key", *_CONTENT)}
            meter_id: str = writer.konnect.post(routes.METERS, compact(body | _body(desired)))["id"]
            return meter_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        writer.konnect.put(routes.METER, _body(desired), path={"meterId": live.id})
        return live.id

    def delete(self, live: Live, writer: Writer) -> None:
        writer.konnect.delete(routes.METER, path={"meterId": live.id})

    def replace(self, desired: Desired, live: Live, writer: Writer) -> str:
        """Destroy before create: Konnect keeps a key to one live meter."""
        self.delete(live, writer)
        return self.create(desired, writer)

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        labels = owned_labels(user_labels(live.raw.get("labels")))
        konnect.put(routes.METER, {"labels": labels}, path={"meterId": live.id})

    def export(self, context: ExportContext) -> None:
        meters = context.distinct(ADDRESS_TYPE, context.live_of(ADDRESS_TYPE))
        names = context.name_all(ADDRESS_TYPE, [(meter, meter.key) for meter in meters])
        for meter in sorted(meters, key=lambda live: names[live.id]):
            name = names[meter.id]
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


def _meters(konnect: KonnectClient) -> list[Live]:
    return [Live.of(meter, "key") for meter in konnect.list_all(routes.METERS)]


def _body(desired: Desired) -> Document:
    """What an update may change; sent whole, so a removed description is cleared too."""
    document = desired.document
    return {
        "name": document["name"],
        "description": document.get("description", ""),
        "labels": document["labels"],
        "dimensions": document.get("dimensions", {}),
    }
