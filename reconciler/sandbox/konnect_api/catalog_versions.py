"""Versions by key, as plans and add-ons have them on the server: one document per version,
each a draft, then active, then archived.

- creating with a key that exists makes the next version, as a draft, unless a draft of the
  key exists already (400: one draft at a time);
- only drafts change, and are published; publishing version N > 1 archives the version
  active until then, at the same instant;
- only the active version is archived; an active version cannot be deleted.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api.catalog_lists import CatalogList
from reconciler.sandbox.konnect_api.catalog_objects import CatalogCollection
from reconciler.sandbox.konnect_api.collection_names import PLANS
from reconciler.sandbox.konnect_api.endpoint import (
    Handler,
    ModelT,
    endpoint,
    json,
    no_content,
    parse_body,
    path_id,
)
from reconciler.sandbox.konnect_api.errors import KonnectError, invalid, not_found, problem
from reconciler.sandbox.store import Document

DRAFT, ACTIVE, ARCHIVED = "draft", "active", "archived"


def _none(_: Document) -> list[str]:
    return []


class Versions:
    def __init__(self, collection: str, noun: str, path_parameter: str) -> None:
        self.collection = collection
        self.noun = noun  # as the server names it in messages: "Plan", "add-on"
        self.path_parameter = path_parameter

    def add(self, sandbox: Sandbox, document: Document) -> Document:
        """Store `document` as the next version of its key, a draft."""
        store = sandbox.store
        with store.transaction():
            versions = store.find(self.collection, {"key": document["key"]})
            if any(v["status"] == DRAFT and not v.get("deleted_at") for v in versions):
                raise invalid("key", f"only a single draft version is allowed for {self.noun}")
            now = rfc3339_now()
            document.update(
                {
                    "version": max((v["version"] for v in versions), default=0) + 1,
                    "status": DRAFT,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            store.put(self.collection, document["id"], document)
        return document

    def stored(self, request: Request, sandbox: Sandbox) -> Document:
        document = sandbox.store.get(
            self.collection, path_id(request, self.path_parameter, self.noun.lower())
        )
        if document is None:
            raise not_found(self.noun.lower())
        return document

    def refuse_unless(self, document: Document, allowed: tuple[str, ...], doing: str) -> None:
        if document["status"] not in allowed:
            raise refused(
                f"only {self.noun}s in {list(allowed)} can be {doing}, "
                f"but it has {document['status']} state"
            )

    def publish(
        self, request: Request, sandbox: Sandbox, held: Callable[[Document], list[str]] = _none
    ) -> Document:
        """Publish a draft; `held` says what else refuses it (a plan's add-ons)."""
        store = sandbox.store
        with store.transaction():
            document = self.stored(request, sandbox)
            if document.get("deleted_at"):
                raise refused(f"cannot publish a deleted {self.noun}")
            self.refuse_unless(document, (DRAFT, "scheduled"), "published/rescheduled")
            messages = [issue["message"] for issue in document.get("validation_errors") or []]
            messages += held(document)
            if messages:
                raise refused(f"invalid {self.noun} [key={document['key']}]: {'; '.join(messages)}")
            now = rfc3339_now()
            for active in store.find(self.collection, {"key": document["key"], "status": ACTIVE}):
                active.update({"status": ARCHIVED, "effective_to": now, "updated_at": now})
                store.put(self.collection, active["id"], active)
            document.update({"status": ACTIVE, "effective_from": now, "updated_at": now})
            store.put(self.collection, document["id"], document)
        return document

    def archive(self, request: Request, sandbox: Sandbox) -> Document:
        store = sandbox.store
        with store.transaction():
            document = self.stored(request, sandbox)
            self.refuse_unless(document, (ACTIVE,), "archived")
            now = rfc3339_now()
            document.update({"status": ARCHIVED, "effective_to": now, "updated_at": now})
            store.put(self.collection, document["id"], document)
        return document

    def delete(self, request: Request, sandbox: Sandbox) -> None:
        store = sandbox.store
        with store.transaction():
            document = self.stored(request, sandbox)
            if not document.get("deleted_at"):
                self.refuse_unless(document, (ARCHIVED, "scheduled", DRAFT), "deleted")
                document["deleted_at"] = rfc3339_now()
                store.put(self.collection, document["id"], document)

    def changeable(self, request: Request, sandbox: Sandbox) -> Document:
        """The version a PUT may change: a draft not deleted."""
        document = self.stored(request, sandbox)
        if document.get("deleted_at"):
            raise problem(410, f"{self.noun} has been deleted")
        self.refuse_unless(document, (DRAFT, "scheduled"), "updated")
        return document


def _nothing_held(_sandbox: Sandbox, _document: Document) -> list[str]:
    return []


def versioned_routes(
    versions: Versions,
    path: str,
    listing: CatalogList,
    render: Callable[[Document], Document],
    create: Handler,
    upsert: tuple[type[ModelT], Callable[[Document, ModelT, Sandbox], None]],
    held: Callable[[Sandbox, Document], list[str]] = _nothing_held,
) -> list[BaseRoute]:
    """The routes of a versioned collection: list, create, read, change (a PUT of the body
    `upsert` names, applied by its content setter), delete, publish and archive."""
    body_model, set_content = upsert

    def update(request: Request, sandbox: Sandbox) -> Response:
        body = parse_body(request, body_model)
        store = sandbox.store
        with store.transaction():
            document = versions.changeable(request, sandbox)
            set_content(document, body, sandbox)
            document["updated_at"] = rfc3339_now()
            store.put(versions.collection, document["id"], document)
        return json(render(document))

    def delete(request: Request, sandbox: Sandbox) -> Response:
        versions.delete(request, sandbox)
        return no_content()

    def publish(request: Request, sandbox: Sandbox) -> Response:
        document = versions.publish(request, sandbox, lambda draft: held(sandbox, draft))
        return json(render(document))

    def archive(request: Request, sandbox: Sandbox) -> Response:
        return json(render(versions.archive(request, sandbox)))

    collection = CatalogCollection(path, versions.path_parameter, listing, render, versions.stored)
    one = f"{path}/{{{versions.path_parameter}}}"
    return [
        *collection.routes(create, update, delete),
        Route(f"{one}/publish", endpoint(publish), methods=["POST"]),
        Route(f"{one}/archive", endpoint(archive), methods=["POST"]),
    ]


def refused(reason: str) -> KonnectError:
    """A 400 about the object as a whole: the document's 400 names a field, here `status`."""
    return problem(
        400, reason, [{"field": "status", "reason": reason, "rule": "invalid", "source": "path"}]
    )


PLAN_VERSIONS = Versions(PLANS, "Plan", "plan_id")
