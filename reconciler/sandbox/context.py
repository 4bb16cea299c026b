"""The one object every sandbox route reaches its world through."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.store import Store


@dataclass
class Sandbox:
    config: SandboxConfig
    store: Store


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
