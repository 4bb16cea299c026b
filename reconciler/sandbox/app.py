"""The sandbox ASGI app: Konnect at /v3/openmeter, Stripe at /v1, admin at /_sandbox, and the
pages standing in for Stripe's hosted checkout and portal at /hosted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount

from reconciler.sandbox import admin, hosted_pages, konnect_api, stripe_api
from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.faults import FaultInjection
from reconciler.sandbox.konnect_api.apps import forget_keys
from reconciler.sandbox.stats import RouteTemplates
from reconciler.sandbox.store import Store

KONNECT_PREFIX = "/v3/openmeter"
STRIPE_PREFIX = "/v1"
ADMIN_PREFIX = "/_sandbox"


def create_app(config: SandboxConfig | None = None, *, store: Store | None = None) -> Starlette:
    config = config or SandboxConfig()
    sandbox = Sandbox(config=config, store=store or Store(config.db_path))
    _upgrade(sandbox.store)
    routes: list[BaseRoute] = [
        Mount(KONNECT_PREFIX, routes=konnect_api.routes()),
        Mount(STRIPE_PREFIX, routes=stripe_api.routes()),
        Mount(ADMIN_PREFIX, routes=admin_routes()),
        *hosted_pages.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(FaultInjection, sandbox=sandbox, templates=RouteTemplates(routes)),
        ],
        exception_handlers={404: _unrouted},
        lifespan=_closing(sandbox),
    )
    app.state.sandbox = sandbox
    return app


async def _unrouted(request: Request, _: Exception) -> Response:
    """A path that not even an API's catch-all takes (path patterns stop at a line break in
    the path, `%0A`): the API its prefix names answers it as that API answers unknown paths."""
    path = request.url.path
    if path.startswith(KONNECT_PREFIX + "/"):
        return konnect_api.route_not_found()
    if path.startswith(STRIPE_PREFIX + "/"):
        return await stripe_api.route_not_found(request)
    return PlainTextResponse("Not Found", status_code=404)


def _upgrade(store: Store) -> None:
    """Bring a world stored by an older sandbox up to today's rules, before anyone reads it."""
    if forget_keys(store):
        store.compact()  # the replaced keys must not survive in free pages or the log


def admin_routes() -> list[BaseRoute]:
    """Generic admin routes, then each API's own admin actions under its name."""
    routes = [
        Mount(f"/{name}", routes=side_routes())
        for name, side_routes in _side_admin_routes().items()
    ]
    return [*routes, *admin.routes()]


def _side_admin_routes() -> dict[str, Callable[[], list[BaseRoute]]]:
    # Each API grows its admin actions on its own schedule; a side without any is left out.
    sides = {"konnect": konnect_api, "stripe": stripe_api}
    return {
        name: factory
        for name, module in sides.items()
        if (factory := getattr(module, "admin_routes", None)) is not None
    }


def _closing(sandbox: Sandbox) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sandbox.store.close()

    return lifespan
