"""Fixtures for the Stripe side: raw HTTP in-process, and the admin actions beside /v1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import admin_routes, routes
from tests.conftest import SANDBOX_STRIPE_KEY

AUTH = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}


class StripeHTTP:
    """Raw form-encoded calls, as any Stripe client puts them on the wire."""

    def __init__(self, client: TestClient, key: str = SANDBOX_STRIPE_KEY) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, params: Any = None) -> httpx.Response:
        return self.client.get("/v1" + path, params=params, headers=self.headers)

    def post(
        self, path: str, data: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.client.post(
            "/v1" + path, data=data, headers={**self.headers, **(headers or {})}
        )

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete("/v1" + path, headers=self.headers)

    def as_key(self, key: str) -> StripeHTTP:
        return StripeHTTP(self.client, key)


@pytest.fixture
def stripe_app(sandbox_config: SandboxConfig) -> Iterator[Starlette]:
    """The Stripe routes and their admin actions, mounted as the sandbox app mounts them."""
    store = Store(sandbox_config.db_path)
    app = Starlette(
        routes=[Mount("/v1", routes=routes()), Mount("/_sandbox/stripe", routes=admin_routes())]
    )
    app.state.sandbox = Sandbox(config=sandbox_config, store=store)
    yield app
    store.close()


@pytest.fixture
def raw(asgi: TestClient) -> StripeHTTP:
    """Stripe over the full sandbox app, in-process."""
    return StripeHTTP(asgi)


@pytest.fixture
def stripe_and_admin(stripe_app: Starlette) -> Iterator[tuple[StripeHTTP, TestClient]]:
    with TestClient(stripe_app, base_url="http://sandbox.test") as client:
        yield StripeHTTP(client), client


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture
def sandbox_server_url(sandbox_server: SandboxServer) -> str:
    return sandbox_server.url
