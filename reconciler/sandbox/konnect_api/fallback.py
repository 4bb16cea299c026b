"""Answers for requests no Konnect route takes: 405 for a known path, else 404, AIP-shaped."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from reconciler.sandbox.konnect_api.errors import problem

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def catch_all(known: list[BaseRoute]) -> Route:
    async def unmatched(request: Request) -> Response:
        scope = dict(request.scope)
        for route in known:
            match, _ = route.matches(scope)
            if match is Match.PARTIAL:
                return problem(405, "method not allowed").response()
        return route_not_found()

    return Route("/{path:path}", unmatched, methods=ALL_METHODS)


def route_not_found() -> Response:
    return problem(404, "route not found").response()
