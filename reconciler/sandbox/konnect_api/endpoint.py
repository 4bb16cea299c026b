"""What every Konnect route does around its handler: auth, validation, error rendering.

As on the v3 server, the path and the query are checked before the handler runs, so that a
bad id is a 404 and a bad query a 400 whatever the body holds.

Handlers are synchronous: the body is read on the event loop, then the checks and the handler
(its SQLite work and JSON rendering) run in the threadpool, so that a slow store call holds up
no other request, nor the timers of the latency the sandbox adds.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.sandbox.context import Sandbox, off_the_event_loop, raw_body, sandbox_of
from reconciler.sandbox.ids import is_ulid
from reconciler.sandbox.konnect_api.auth import require_token
from reconciler.sandbox.konnect_api.errors import (
    KonnectError,
    from_validation_error,
    invalid,
    not_found,
    problem,
)
from reconciler.sandbox.konnect_api.indexes import ensure_indexes
from reconciler.sandbox.konnect_api.query import QueryParameters, check_query

Handler = Callable[[Request, Sandbox], Response]
ModelT = TypeVar("ModelT", bound=BaseModel)
# Path parameters holding a ULID, and what a 404 for one says is missing.
_ID_PARAMETERS = {
    "addon_id": "add-on",
    "app_id": "app",
    "customer_id": "customer",
    "feature_id": "feature",
    "meter_id": "meter",
    "plan_id": "plan",
    "plan_addon_id": "plan add-on",
    "profile_id": "billing profile",
    "tax_code_id": "tax code",
}


def endpoint(
    handler: Handler, query: QueryParameters | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """The handler behind auth and validation; `query` is what the operation declares."""

    def answer(request: Request) -> Response:
        sandbox = sandbox_of(request)
        try:
            require_token(request, sandbox)
            for name in request.path_params.keys() & _ID_PARAMETERS.keys():
                path_id(request, name, _ID_PARAMETERS[name])
            check_query(request, query or QueryParameters())
            ensure_indexes(sandbox.store)
            return handler(request, sandbox)
        except KonnectError as error:
            return error.response()

    async def run(request: Request) -> Response:
        return await off_the_event_loop(answer, request)

    run.__name__ = handler.__name__
    return run


def json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def parse_body(request: Request, model: type[ModelT]) -> ModelT:
    raw = raw_body(request)
    if not raw.strip():
        raise problem(
            400,
            "request body is required",
            [{"field": "body", "reason": "missing body", "rule": "required", "source": "body"}],
        )
    try:
        parsed = model.model_validate_json(raw)
    except ValidationError as error:
        raise from_validation_error(error) from None
    _refuse_nulls(jsonlib.loads(raw))
    return parsed


def _refuse_nulls(value: Any, path: str = "") -> None:
    """No request property of the v3 document is nullable: an explicit null is a 400."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nulls(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nulls(item, f"{path}.{index}")
    elif value is None:
        raise invalid(path or "body", "value must not be null")


def path_id(request: Request, name: str, what: str) -> str:
    """A path id; one that is not a ULID fails the spec's path validation, which answers 404."""
    value: str = request.path_params[name]
    if not is_ulid(value):
        raise not_found(what)
    return value
