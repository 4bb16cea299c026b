"""Pages the sandbox serves in place of Stripe's hosted checkout and billing portal.

Plain server-rendered forms on the sandbox's own host, at the paths the sessions' `url`s name,
so that onboarding can be clicked through against the sandbox as against Stripe in test mode.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.context import off_the_event_loop
from reconciler.sandbox.hosted_pages import checkout_page, portal_page
from reconciler.sandbox.stripe_api.world import CHECKOUT_PAGE_PATH, PORTAL_PAGE_PATH


def routes() -> list[BaseRoute]:
    checkout = CHECKOUT_PAGE_PATH + "{session_id}"
    portal = PORTAL_PAGE_PATH + "{session_id}"
    return [
        Route(checkout, _page(checkout_page.show), methods=["GET"]),
        Route(checkout, _page(checkout_page.submit), methods=["POST"]),
        Route(portal, _page(portal_page.show), methods=["GET"]),
        Route(portal + "/default", _page(portal_page.make_default), methods=["POST"]),
        Route(portal + "/cards", _page(portal_page.add_card), methods=["POST"]),
    ]


def _page(handler: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """`handler` run off the event loop, as the APIs' handlers are."""

    async def run(request: Request) -> Response:
        return await off_the_event_loop(handler, request)

    run.__name__ = handler.__name__
    return run
