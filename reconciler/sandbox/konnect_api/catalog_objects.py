"""What the catalog collections (meters, features, plans, add-ons) share on the server: the
read view, the live lookup, and the five routes each answers (list, create, read, change, delete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api.catalog_lists import CatalogList
from reconciler.sandbox.konnect_api.endpoint import Handler, endpoint, json
from reconciler.sandbox.konnect_api.labels import labels_for_read
from reconciler.sandbox.konnect_api.schemas import public
from reconciler.sandbox.store import Document


def render(document: Document) -> Document:
    """The document as the server shows it: no bookkeeping fields, labels as read back."""
    shown = public(document)
    shown["labels"] = labels_for_read(document)
    return shown


def live(sandbox: Sandbox, collection: str, document_id: str) -> Document | None:
    """The document another one names, if it exists and is not deleted (or archived)."""
    document = sandbox.store.get(collection, document_id)
    return None if document is None or document.get("deleted_at") else document


@dataclass(frozen=True)
class CatalogCollection:
    """A collection at `path`, one object at `path/{parameter}`."""

    path: str
    parameter: str
    listing: CatalogList
    render: Callable[[Document], Document]
    stored: Callable[[Request, Sandbox], Document]

    def routes(
        self, create: Handler, update: Handler, delete: Handler, update_method: str = "PUT"
    ) -> list[BaseRoute]:
        one = f"{self.path}/{{{self.parameter}}}"
        return [
            Route(self.path, endpoint(self._list, self.listing.query), methods=["GET"]),
            Route(self.path, endpoint(create), methods=["POST"]),
            Route(one, endpoint(self._get), methods=["GET"]),
            Route(one, endpoint(update), methods=[update_method]),
            Route(one, endpoint(delete), methods=["DELETE"]),
        ]

    def _list(self, request: Request, sandbox: Sandbox) -> Response:
        return self.listing.answer(request, sandbox, self.render)

    def _get(self, request: Request, sandbox: Sandbox) -> Response:
        return json(self.render(self.stored(request, sandbox)))
