"""The one object every sandbox route reaches its world through."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reconciler.sandbox.config import FaultSettings, SandboxConfig
from reconciler.sandbox.faults import FaultPlan
from reconciler.sandbox.stats import Traffic
from reconciler.sandbox.store import Store


@dataclass
class Sandbox:
    config: SandboxConfig
    store: Store
    # What this process has served and how it misbehaves: in memory, not shared via the store.
    traffic: Traffic = field(init=False)
    faults: FaultPlan = field(init=False)
    # Signs the forms of the hosted pages (CSRF): a form is good only on the process serving it.
    page_key: bytes = field(init=False, repr=False, default_factory=lambda: secrets.token_bytes(32))

    def __post_init__(self) -> None:
        self.traffic = Traffic(self.config.request_log_size)
        self.faults = FaultPlan(self.config.fault_settings())

    def set_faults(self, settings: FaultSettings) -> None:
        """Misbehave differently from now on; the seed and rate limits start afresh."""
        self.faults = FaultPlan(settings)


def origin_of(request: Request) -> str:
    """`scheme://host:port` the request was sent to: the sandbox's own address as its client
    reaches it, under which the sessions' hosted pages are served."""
    return f"{request.url.scheme}://{request.url.netloc}"


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def off_the_event_loop(answer: Callable[[Request], Response], request: Request) -> Response:
    """`answer` run in the threadpool, the request's body read first on the event loop (for
    `raw_body`): its store work and rendering hold up no other request, nor the timers of the
    latency the sandbox adds."""
    request.state.body = await request.body()
    return await run_in_threadpool(answer, request)


def raw_body(request: Request) -> bytes:
    """The request's body, as `off_the_event_loop` read it before the handler ran."""
    body: bytes = request.state.body
    return body
