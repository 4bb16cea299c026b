"""Konnect admin actions under /_sandbox/konnect: what happens outside the API in real life.

Their store work runs in the threadpool, as the API's does (see `endpoint`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.context import sandbox_of
from reconciler.sandbox.konnect_api import invoices, stripe_sessions, tax_codes
from reconciler.sandbox.konnect_api.errors import KonnectError
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError


async def _complete_checkout(request: Request) -> Response:
    """The customer finished Stripe's hosted checkout and the webhook updated Konnect."""
    store = sandbox_of(request).store
    # Optionally what the customer typed: {"address": {...}, "name": ..., "tax_id": {...}}.
    entered = (await request.json()) if await request.body() else {}
    try:
        result = await run_in_threadpool(
            stripe_sessions.complete_checkout,
            store,
            request.path_params["session_id"],
            world.entered_card(entered if isinstance(entered, dict) else {}),
        )
    except StripeError as error:
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(result)


async def _system_tax_code(request: Request) -> Response:
    """Seed a system-managed tax code, as the server creates when a Stripe code is referenced."""
    body = await request.json()
    stripe_code = str(body.get("stripe_code", ""))
    if not tax_codes.STRIPE_TAX_CODE.match(stripe_code):
        return JSONResponse({"error": "stripe_code must match ^txcd_\\d{8}$"}, status_code=400)
    store = sandbox_of(request).store
    created = await run_in_threadpool(tax_codes.create_system_managed, store, stripe_code)
    return JSONResponse(tax_codes.render(created), status_code=201)


async def _invoice(request: Request) -> Response:
    """An invoice the server would have made from usage: `{customer: KEY, profile: NAME,
    status, number?, currency?}`."""
    try:
        body = await request.json()
        created = await run_in_threadpool(invoices.create_invoice, sandbox_of(request).store, body)
    except KonnectError as error:
        return error.response()
    return JSONResponse(created, status_code=201)


def routes() -> list[BaseRoute]:
    return [
        Route("/invoices", _invoice, methods=["POST"]),
        Route("/checkout-sessions/{session_id}/complete", _complete_checkout, methods=["POST"]),
        Route("/tax-codes/system-managed", _system_tax_code, methods=["POST"]),
    ]
