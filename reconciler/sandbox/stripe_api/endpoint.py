"""One Stripe endpoint: authenticate, decode parameters, run (idempotently for POST), render.

Handlers are plain synchronous functions of a `StripeCall` returning the response object; they
raise `StripeError` for anything Stripe would refuse. Writes run in one store transaction, so a
refused request leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.sandbox.context import origin_of, sandbox_of
from reconciler.sandbox.ids import stripe_id
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api.auth import authenticate
from reconciler.sandbox.stripe_api.errors import StripeError
from reconciler.sandbox.stripe_api.expansion import expand, expand_paths
from reconciler.sandbox.stripe_api.forms import Params, parse_form, parse_pairs
from reconciler.sandbox.stripe_api.idempotency import fingerprint, replay_or_run
from reconciler.sandbox.stripe_api.params import reject_unknown

_JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class StripeCall:
    store: Store
    account: Document
    params: Params
    path: dict[str, str]
    # Scheme and host the request came to: where the sandbox serves the pages a URL opens.
    origin: str = ""

    @property
    def account_id(self) -> str:
        return str(self.account["id"])

    @property
    def livemode(self) -> bool:
        return bool(self.account["livemode"])

    def expanded(self, obj: Document) -> Document:
        """The response object with the request's `expand[]` applied."""
        return expand(self.store, self.account_id, obj, expand_paths(self.params))


Handler = Callable[[StripeCall], Document]


def stripe_route(path: str, method: str, handler: Handler, params: Iterable[str] = ()) -> Route:
    """A route whose handler accepts `params` (and `expand`); any other parameter is a 400."""
    allowed = frozenset(params) | {"expand"}

    async def endpoint(request: Request) -> Response:
        store = sandbox_of(request).store
        try:
            account = authenticate(request, store)
            call_params = await _params_of(request)
            reject_unknown(call_params, allowed)
            call = StripeCall(
                store, account, call_params, dict(request.path_params), origin_of(request)
            )
            status, body, replayed = _run(request, call, handler)
        except StripeError as error:
            status, body, replayed = error.status, error.body(), False
        return render(status, body, replayed=replayed)

    return Route(path, endpoint, methods=[method], name=f"stripe {method} {path}")


def _run(request: Request, call: StripeCall, handler: Handler) -> tuple[int, Document, bool]:
    if request.method == "GET":
        return 200, handler(call), False
    key = request.headers.get("idempotency-key")
    if request.method == "POST" and key:
        request_fingerprint = fingerprint(request.method, request.url.path, call.params)
        return replay_or_run(
            call.store, call.account_id, key, request_fingerprint, lambda: handler(call)
        )
    with call.store.transaction():
        return 200, handler(call), False


async def _params_of(request: Request) -> Params:
    query = parse_pairs(request.query_params.multi_items())
    if request.method == "GET":
        return query
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _JSON_TYPES:
        raise StripeError(
            400,
            f"Invalid request: unsupported Content-Type {content_type}. "
            "Use application/x-www-form-urlencoded.",
        )
    body = await request.body()
    return {**query, **parse_form(body)} if body else query


def render(status: int, body: Document | dict[str, Any], *, replayed: bool = False) -> Response:
    headers = {"Request-Id": stripe_id("req", 14)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, status_code=status, headers=headers)
