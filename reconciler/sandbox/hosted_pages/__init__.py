"""Pages the sandbox serves in place of Stripe's hosted checkout and billing portal.

Plain server-rendered forms on the sandbox's own host, at the paths the sessions' `url`s name,
so that onboarding can be clicked through against the sandbox as against Stripe in test mode.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from reconciler.sandbox.hosted_pages import checkout_page, portal_page
from reconciler.sandbox.stripe_api.world import CHECKOUT_PAGE_PATH, PORTAL_PAGE_PATH


def routes() -> list[BaseRoute]:
    checkout = CHECKOUT_PAGE_PATH + "{session_id}"
    portal = PORTAL_PAGE_PATH + "{session_id}"
    return [
        Route(checkout, checkout_page.show, methods=["GET"]),
        Route(checkout, checkout_page.submit, methods=["POST"]),
        Route(portal, portal_page.show, methods=["GET"]),
        Route(portal + "/default", portal_page.make_default, methods=["POST"]),
        Route(portal + "/cards", portal_page.add_card, methods=["POST"]),
    ]
