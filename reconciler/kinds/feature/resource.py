"""Feature: a Konnect feature matched by key, metered by a `Meter` or not.

Konnect cannot change a feature (its update takes only a unit cost, which manifests do not
declare): any other change replaces it, archiving the old one first since a live feature
holds its key. Labels are written on creation only, so they are advisory (shown on a
create, never compared): a feature reconcile did not create can be bound, never relabelled.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.kind import Adoption, DesiredContext, World, Writer
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
from reconciler.kinds.meter import ADDRESS_TYPE as METER
from reconciler.manifests.feature import Feature

ADDRESS_TYPE = "feature"


class FeatureResource(KeyedCatalogResource):
    address_type = ADDRESS_TYPE
    collection_route = routes.FEATURES
    object_route = routes.FEATURE
    id_parameter = "featureId"
    refers_to = (METER,)
    immutable = frozenset({"key", "name", "description", "meter"})
    adoption = Adoption.IMPLICIT
    adoption_note = (
        "binds the existing feature with this key (Konnect cannot relabel a feature, so it "
        "stays unowned and is never pruned)"
    )

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=feature.name),
                key=feature.spec.key,
                document=compact(
                    {
                        "key": feature.spec.key,
                        "name": feature.konnect_name,
                        "description": feature.spec.description,
                        "meter": feature.spec.meter,
                        "labels": owned_labels(feature.metadata.labels),
                    }
                ),
                advisory=frozenset({"labels"}),
                depends_on=frozenset(
                    {Address(type=METER, name=feature.spec.meter)} if feature.spec.meter else ()
                ),
                adopt=feature.metadata.adopt,
            )
            for feature in context.manifests.of_kind(Feature)
        ]

    def live_document(self, live: Live, world: World) -> Document:
        raw = live.raw
        return compact(
            {
                "key": raw.get("key"),
                "name": raw.get("name"),
                "description": raw.get("description") or None,
                "meter": world.name_of(METER, (raw.get("meter") or {}).get("id")),
                "labels": user_labels(raw.get("labels")),
            }
        )

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        meter = world.address_by_id(METER, (live.raw.get("meter") or {}).get("id"))
        return frozenset({meter} if meter else ())

    def in_use(self, action: Action, users: Sequence[Address]) -> str:
        return (
            f"live plan or add-on versions sell it ({few(users)}), and Konnect keeps the "
            "feature a published version sells: declare a feature with another key for the "
            "change and sell that one, or keep this feature as it is"
        )

    def create(self, desired: Desired, writer: Writer) -> str:
        document = desired.document
        fields = ("key", "name", "description", "labels")
        body = {field: document[field] for field in fields if field in document}
        if "meter" in document:
            body["meter"] = {"id": writer.id_of(Address(type=METER, name=document["meter"]))}

        def post() -> str:
            feature_id: str = writer.konnect.post(routes.FEATURES, body)["id"]
            return feature_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        """Nothing to write: Konnect cannot relabel a feature; declaring it binds it."""

    def export(self, context: ExportContext) -> None:
        for name, feature in exported_by_name(context, ADDRESS_TYPE):
            raw = feature.raw
            meter_id = (raw.get("meter") or {}).get("id")
            meter = context.name_of(METER, meter_id)
            if meter_id is not None and meter is None:
                context.skip(ADDRESS_TYPE, feature.key, "its meter was not exported")
                continue
            spec = compact(
                {
                    "key": feature.key,
                    "name": raw["name"] if raw["name"] != name else None,
                    "description": raw.get("description") or None,
                    "meter": meter,
                }
            )
            document = manifest_document(Feature.KIND, name, feature, spec, needs_adoption=False)
            context.add(ADDRESS_TYPE, feature, document)
