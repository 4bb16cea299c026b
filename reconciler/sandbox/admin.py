"""Admin endpoints under /_sandbox: reset, seed and edit the world, read its traffic, set faults.

No auth, no faults, JSON in and out. Documents are addressed generically by collection and id
(`konnect.customers`, `stripe.customers`, ...), as the store holds them, so tests can seed state
and mutate it out of band without either API's rules. Fields that hold credentials are
redacted on read; writing the redaction marker back keeps the stored value. What touches the
store runs in the threadpool (Starlette runs a plain `def` endpoint there; the others read
their body first), not on the event loop.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.config import FaultSettings
from reconciler.sandbox.context import Sandbox, sandbox_of
from reconciler.sandbox.store import Document

REDACTED = "**redacted**"
# `_api_key`, `client_secret`, `token`...; a `masked_...` field is already safe to show.
_SECRET_FIELD = re.compile(r"(?!masked_)(?:.*_)?(?:api_key|secret|token|password)", re.I)
_FILTER_PARAM = re.compile(r"^filter\[(?P<field>[^\]]+)\]$")


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> JSONResponse:
        return JSONResponse({"error": str(self)}, status_code=self.status)


def routes() -> list[BaseRoute]:
    return [
        Route("/health", health, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/stats", stats, methods=["GET"]),
        Route("/stats", reset_stats, methods=["DELETE"]),
        Route("/requests", request_log, methods=["GET"]),
        Route("/requests", clear_request_log, methods=["DELETE"]),
        Route("/faults", faults, methods=["GET"]),
        Route("/faults", replace_faults, methods=["PUT"]),
        Route("/faults", patch_faults, methods=["PATCH"]),
        Route("/collections", collections, methods=["GET"]),
        Route("/collections/{collection}", list_documents, methods=["GET"]),
        Route("/collections/{collection}", seed_documents, methods=["POST"]),
        Route("/collections/{collection}/{id}", get_document, methods=["GET"]),
        Route("/collections/{collection}/{id}", put_document, methods=["PUT"]),
        Route("/collections/{collection}/{id}", patch_document, methods=["PATCH"]),
        Route("/collections/{collection}/{id}", delete_document, methods=["DELETE"]),
    ]


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def reset(request: Request) -> Response:
    """Forget every document, count and logged request; fault settings stay."""
    sandbox = sandbox_of(request)
    with sandbox.store.transaction():
        sandbox.store.clear()
    sandbox.traffic.reset_stats()
    sandbox.traffic.clear_log()
    return JSONResponse({"reset": True})


# --- traffic -----------------------------------------------------------------------------------


async def stats(request: Request) -> Response:
    return JSONResponse(sandbox_of(request).traffic.stats())


async def reset_stats(request: Request) -> Response:
    sandbox_of(request).traffic.reset_stats()
    return Response(status_code=204)


async def request_log(request: Request) -> Response:
    try:
        limit = _int_param(request, "limit")
    except AdminError as error:
        return error.response()
    return JSONResponse({"data": sandbox_of(request).traffic.recent(limit)})


async def clear_request_log(request: Request) -> Response:
    sandbox_of(request).traffic.clear_log()
    return Response(status_code=204)


# --- faults ------------------------------------------------------------------------------------


async def faults(request: Request) -> Response:
    return JSONResponse(sandbox_of(request).faults.settings.model_dump(mode="json"))


async def replace_faults(request: Request) -> Response:
    return await _set_faults(request, {})


async def patch_faults(request: Request) -> Response:
    current = sandbox_of(request).faults.settings.model_dump(exclude_unset=True)
    return await _set_faults(request, current)


async def _set_faults(request: Request, base: dict[str, Any]) -> Response:
    try:
        settings = FaultSettings.model_validate({**base, **await _json_object(request)})
    except ValidationError as error:
        return AdminError(400, _validation_message(error)).response()
    except AdminError as error:
        return error.response()
    sandbox_of(request).set_faults(settings)
    return JSONResponse(settings.model_dump(mode="json"))


def _validation_message(error: ValidationError) -> str:
    issues = error.errors()
    return "; ".join(f"{'.'.join(map(str, issue['loc']))}: {issue['msg']}" for issue in issues)


# --- documents ---------------------------------------------------------------------------------


def collections(request: Request) -> Response:
    store = sandbox_of(request).store
    data = [{"name": name, "count": store.count(name)} for name in store.collections()]
    return JSONResponse({"data": data})


def list_documents(request: Request) -> Response:
    store = sandbox_of(request).store
    collection = request.path_params["collection"]
    try:
        where = _filters(request)
        offset = _int_param(request, "offset") or 0
        limit = _int_param(request, "limit")
    except AdminError as error:
        return error.response()
    documents = store.find(collection, where, offset=offset, limit=limit)
    return JSONResponse(
        {"data": [_redacted(doc) for doc in documents], "total": store.count(collection, where)}
    )


async def seed_documents(request: Request) -> Response:
    """Insert or replace many documents at once: `{"documents": [{"id": ...}, ...]}`."""
    sandbox = sandbox_of(request)
    collection = request.path_params["collection"]
    try:
        documents = (await _json_object(request)).get("documents")
        if not isinstance(documents, list) or not all(_has_id(doc) for doc in documents):
            raise AdminError(400, "expected {'documents': [objects with a string 'id']}")
    except AdminError as error:
        return error.response()

    def seed() -> None:
        with sandbox.store.transaction():
            for doc in documents:
                _write(sandbox, collection, doc["id"], doc)

    await run_in_threadpool(seed)
    return JSONResponse({"count": len(documents)}, status_code=201)


def get_document(request: Request) -> Response:
    collection, id = request.path_params["collection"], request.path_params["id"]
    doc = sandbox_of(request).store.get(collection, id)
    if doc is None:
        return _missing(collection, id).response()
    return JSONResponse(_redacted(doc))


async def put_document(request: Request) -> Response:
    sandbox = sandbox_of(request)
    collection, id = request.path_params["collection"], request.path_params["id"]
    try:
        body = await _json_object(request)
    except AdminError as error:
        return error.response()

    def put() -> tuple[bool, Document]:
        with sandbox.store.transaction():
            existed = sandbox.store.get(collection, id) is not None
            return existed, _write(sandbox, collection, id, body)

    existed, doc = await run_in_threadpool(put)
    return JSONResponse(_redacted(doc), status_code=200 if existed else 201)


async def patch_document(request: Request) -> Response:
    """A JSON merge patch (RFC 7386): objects merge, `null` removes a field."""
    sandbox = sandbox_of(request)
    collection, id = request.path_params["collection"], request.path_params["id"]

    def patched(patch: Document) -> Document:
        with sandbox.store.transaction():
            current = sandbox.store.get(collection, id)
            if current is None:
                raise _missing(collection, id)
            return _write(sandbox, collection, id, merge_patch(current, patch))

    try:
        doc = await run_in_threadpool(patched, await _json_object(request))
    except AdminError as error:
        return error.response()
    return JSONResponse(_redacted(doc))


def delete_document(request: Request) -> Response:
    collection, id = request.path_params["collection"], request.path_params["id"]
    if not sandbox_of(request).store.delete(collection, id):
        return _missing(collection, id).response()
    return Response(status_code=204)


def merge_patch(target: Document, patch: Document) -> Document:
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged


def _write(sandbox: Sandbox, collection: str, id: str, body: Document) -> Document:
    """Store `body` as the document, keeping stored secrets where the body has the marker."""
    current = sandbox.store.get(collection, id) or {}
    return sandbox.store.put(collection, id, _unredacted(body, current))


def _redacted(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {
            key: REDACTED
            if _SECRET_FIELD.fullmatch(key) and isinstance(value, str)
            else _redacted(value)
            for key, value in doc.items()
        }
    if isinstance(doc, list):
        return [_redacted(item) for item in doc]
    return doc


def _unredacted(body: Any, stored: Any) -> Any:
    if not isinstance(body, dict):
        return body
    stored = stored if isinstance(stored, dict) else {}
    result = {}
    for key, value in body.items():
        if value == REDACTED and key in stored:
            result[key] = stored[key]
        else:
            result[key] = _unredacted(value, stored.get(key))
    return result


def _missing(collection: str, id: str) -> AdminError:
    return AdminError(404, f"no document {id!r} in {collection!r}")


def _has_id(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("id"), str) and bool(doc["id"])


async def _json_object(request: Request) -> Document:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as error:
        raise AdminError(400, f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise AdminError(400, "the body must be a JSON object")
    return body


def _int_param(request: Request, name: str) -> int | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    if not text.isdigit():
        raise AdminError(400, f"{name} must be a non-negative integer")
    return int(text)


def _filters(request: Request) -> dict[str, Any]:
    """`filter[field.path]=value`; the value is read as JSON when it parses (true, 3, null)."""
    where: dict[str, Any] = {}
    for name, text in request.query_params.items():
        if (match := _FILTER_PARAM.match(name)) is None:
            continue
        try:
            where[match["field"]] = json.loads(text)
        except ValueError:
            where[match["field"]] = text
    return where
