"""Fault injection and request accounting for the emulated APIs, as plain ASGI middleware.

Only `/v3` (Konnect) and `/v1` (Stripe) requests are touched; `/_sandbox` never is, so tests can
always reset and inspect a misbehaving sandbox. Per request, in this order:

0. a route named in `route_faults` is answered with its status, every time: how a test stops
   a run at the one write it chooses; one named in `route_answers` gets its canned answer
   (a redirect, an HTML page with a 200), never running either;
1. the API's own rate limit (a token bucket per API) may answer 429 with Retry-After;
2. with `fault_rate`, an error drawn from `fault_statuses` (500, 503, 429) replaces the answer;
3. `latency_ms` is the answer's latency: the response starts no sooner than that after the
   request arrived, the sandbox's own work included, as a real API's response time
   includes its own. Its processing then costs the client nothing a real server's would
   not, and a benchmark measures the client against the latency it set;
4. with `drop_rate`, a write is executed and committed, then the connection is cut off halfway
   through the response body: the case that proves a client's idempotency handling.

Every API request draws the same amount of randomness whatever happens to it, so with a seed the
same sequence of requests meets the same sequence of faults.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.sandbox.config import CannedAnswer, FaultSettings
from reconciler.sandbox.stats import RouteTemplates, Traffic

KONNECT = "konnect"
STRIPE = "stripe"
_API_PREFIXES = (("/v3/", KONNECT), ("/v1/", STRIPE))
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

RATE_LIMITED = "rate_limit"  # the server-side limit, not a random fault
DROPPED = "drop"


def api_of(path: str) -> str | None:
    for prefix, api in _API_PREFIXES:
        if path.startswith(prefix):
            return api
    return None


class TokenBucket:
    """`rate` requests/second with a burst of one second's worth (at least one request)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()

    def take(self) -> float:
        """0 when a request may pass now, else the seconds until one may."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


@dataclass(frozen=True, slots=True)
class Decision:
    fault: str | None = None
    status: int | None = None  # set when the answer is an injected error
    retry_after: int | None = None
    latency: float = 0.0
    canned: CannedAnswer | None = None

    @property
    def drops(self) -> bool:
        return self.fault == DROPPED


class FaultPlan:
    """Decides, request by request, what goes wrong; holds the seeded randomness and buckets."""

    def __init__(
        self, settings: FaultSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._buckets = {
            api: TokenBucket(limit, clock)
            for api in (KONNECT, STRIPE)
            if (limit := settings.limit_for(api)) is not None
        }

    def decide(self, api: str, method: str, route: str = "") -> Decision:
        settings = self.settings
        fault_draw, status_draw, drop_draw = (self._random.random() for _ in range(3))
        latency = settings.latency_ms / 1000
        chosen = settings.route_faults.get(f"{method} {route}")
        if chosen is not None:
            retry_after = settings.retry_after_seconds if chosen == 429 else None
            return Decision(str(chosen), chosen, retry_after, latency)
        canned = settings.route_answers.get(f"{method} {route}")
        if canned is not None:
            return Decision(f"canned {canned.status}", latency=latency, canned=canned)
        bucket = self._buckets.get(api)
        wait = bucket.take() if bucket is not None else 0.0
        if wait > 0:
            return Decision(RATE_LIMITED, 429, max(1, math.ceil(wait)), latency)
        if fault_draw < settings.fault_rate:
            statuses = settings.fault_statuses
            status = statuses[min(int(status_draw * len(statuses)), len(statuses) - 1)]
            retry_after = settings.retry_after_seconds if status == 429 else None
            return Decision(str(status), status, retry_after, latency)
        if method in WRITE_METHODS and drop_draw < settings.drop_rate:
            return Decision(DROPPED, latency=latency)
        return Decision(latency=latency)


class Misbehaving(Protocol):
    """What the middleware reaches of the sandbox (`context.Sandbox`), read afresh on each
    request: `faults` is replaced whenever a test sets other faults."""

    faults: FaultPlan
    traffic: Traffic


class FaultInjection:
    """ASGI middleware: applies the sandbox's `FaultPlan` and records every API request."""

    def __init__(self, app: ASGIApp, sandbox: Misbehaving, templates: RouteTemplates) -> None:
        self.app = app
        self.sandbox = sandbox
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        route = self.templates.template(method, scope["path"])
        decision = self.sandbox.faults.decide(api, method, route)
        statuses: list[int] = []
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                self.sandbox.traffic.record(
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=statuses[0] if statuses else None,
                    idempotency_key=_header(scope, b"idempotency-key"),
                    fault=decision.fault,
                )

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Counted before the last byte leaves: a client that reads the stats right
                # after its answer must find its request there.
                record()
            await send(message)

        answer = _not_before(time.monotonic() + decision.latency, recording_send)
        try:
            if decision.status is not None:
                await _send_error(api, decision, answer)
            elif decision.canned is not None:
                await _send_canned(decision.canned, answer)
            elif decision.drops:
                await _commit_then_drop(self.app, scope, receive, answer)
            else:
                await self.app(scope, receive, answer)
        finally:
            record()


def _not_before(deadline: float, send: Send) -> Send:
    """`send`, holding the response's start until `deadline` (a `time.monotonic()`)."""

    async def held(message: Message) -> None:
        if message["type"] == "http.response.start":
            wait = deadline - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        await send(message)

    return held


async def _commit_then_drop(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the request to completion (so it commits), then deliver only half of the answer.

    Returning from an ASGI app with the body incomplete makes the server close the connection:
    httpx raises RemoteProtocolError, the stripe SDK APIConnectionError.
    """
    start: Message | None = None
    body = bytearray()

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, capture)
    if start is None:
        return
    # Announce one byte more than an empty body has, so even a 204 is visibly cut short.
    declared = max(len(body), 1)
    headers = [(name, value) for name, value in start["headers"] if name != b"content-length"]
    headers.append((b"content-length", str(declared).encode()))
    await send({**start, "headers": headers})
    half = bytes(body[: len(body) // 2])
    await send({"type": "http.response.body", "body": half, "more_body": True})


async def _send_error(api: str, decision: Decision, send: Send) -> None:
    status = decision.status or 500
    content_type, body = _error_body(api, status)
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    if decision.retry_after is not None:
        headers.append((b"retry-after", str(decision.retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_canned(answer: CannedAnswer, send: Send) -> None:
    body = answer.body.encode()
    headers = [(b"content-length", b"%d" % len(body))]
    if answer.content_type is not None:
        headers.append((b"content-type", answer.content_type.encode()))
    if answer.location is not None:
        headers.append((b"location", answer.location.encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _error_body(api: str, status: int) -> tuple[str, bytes]:
    if api == KONNECT:
        return "application/problem+json", _dumps(_konnect_problem(status))
    return "application/json", _dumps(_stripe_error(status))


def _konnect_problem(status: int) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase
    return {
        "type": f"https://httpstatuses.com/{status}",
        "status": status,
        "title": phrase,
        "detail": "rate limit exceeded, retry later" if status == 429 else phrase.lower(),
        "instance": "kong:trace:" + str(secrets.randbelow(10**19)),
    }


def _stripe_error(status: int) -> dict[str, Any]:
    if status == 429:
        error = {
            "type": "invalid_request_error",
            "code": "rate_limit",
            "message": "Too many requests hit the API too quickly. "
            "We recommend an exponential backoff of your requests.",
            "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
        }
    else:
        error = {
            "type": "api_error",
            "message": "An unexpected error occurred while processing your request.",
        }
    return {"error": error}


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None
