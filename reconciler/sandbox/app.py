"""The sandbox ASGI app: Konnect at /v3/openmeter, Stripe at /v1, admin at /_sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount

from reconciler.sandbox import admin, konnect_api, stripe_api
from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.store import Store


def create_app(config: SandboxConfig | None = None, *, store: Store | None = None) -> Starlette:
    config = config or SandboxConfig()
    sandbox = Sandbox(config=config, store=store or Store(config.db_path))
    app = Starlette(
        routes=[
            Mount("/v3/openmeter", routes=konnect_api.routes()),
            Mount("/v1", routes=stripe_api.routes()),
            Mount("/_sandbox", routes=admin.routes()),
        ],
        lifespan=_closing(sandbox),
    )
    app.state.sandbox = sandbox
    return app


def _closing(sandbox: Sandbox) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sandbox.store.close()

    return lifespan
