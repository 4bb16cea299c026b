"""What the catalog kinds matched by key share (meters, features): Konnect lists them at one
route and keeps each key to one live object, so a replacement deletes (or archives) the old
object before creating the new one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from reconciler.clients.konnect import KonnectClient
from reconciler.core.exporting import ExportContext
from reconciler.core.kind import Resource, Sources, Writer
from reconciler.core.live import Desired, Live, fetch_live


class KeyedCatalogResource(Resource):
    """A kind whose objects are listed at `collection_route` and addressed at `object_route`,
    which names the object's id `id_parameter`."""

    collection_route: ClassVar[str]
    object_route: ClassVar[str]
    id_parameter: ClassVar[str]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return self.listed(sources.konnect)

    def listed(self, konnect: KonnectClient) -> list[Live]:
        return [Live.of(found, "key") for found in konnect.list_all(self.collection_route)]

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_live(konnect, self.object_route, {self.id_parameter: live.id}, "key")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((live for live in self.listed(konnect) if live.key == desired.key), None)

    def delete(self, live: Live, writer: Writer) -> None:
        writer.konnect.delete(self.object_route, path={self.id_parameter: live.id})

    def replace(self, desired: Desired, live: Live, writer: Writer) -> str:
        """Delete before create: Konnect keeps a key to one live object."""
        self.delete(live, writer)
        return self.create(desired, writer)


def exported_by_name(context: ExportContext, address_type: str) -> Iterator[tuple[str, Live]]:
    """The live objects to export, each with the manifest name it gets, in name order."""
    objects = context.distinct(address_type, context.live_of(address_type))
    names = context.name_all(address_type, [(live, live.key) for live in objects])
    for live in sorted(objects, key=lambda live: names[live.id]):
        yield names[live.id], live
