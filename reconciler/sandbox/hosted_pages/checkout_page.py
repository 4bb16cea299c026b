"""The page a checkout session's `url` opens: Stripe's hosted checkout in setup mode.

Submitting a test card completes the session as the customer finishing Stripe's checkout
does (the same completion as the admin action): the card is attached, made the Stripe
customer's invoice default, and Konnect links the customer and the card. A decline number
shows Stripe's decline message and changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reconciler.sandbox.context import Sandbox, sandbox_of
from reconciler.sandbox.hosted_pages.card_form import (
    KEPT_FIELDS,
    Declined,
    Invalid,
    card_fields,
    read_card,
)
from reconciler.sandbox.hosted_pages.guard import posted_form, served_here, token_field
from reconciler.sandbox.hosted_pages.html import (
    error_line,
    link,
    message_page,
    page,
    text,
    web_address,
)
from reconciler.sandbox.konnect_api.stripe_sessions import complete_checkout
from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError

TITLE = "Save a card"


def show(request: Request) -> Response:
    sandbox = sandbox_of(request)
    session = _open_session(request, sandbox, request.path_params["session_id"])
    if isinstance(session, Response):
        return session
    return _form_page(sandbox, session, {}, {})


def submit(request: Request) -> Response:
    sandbox = sandbox_of(request)
    session_id = request.path_params["session_id"]
    session = _open_session(request, sandbox, session_id)
    if isinstance(session, Response):
        return session
    values = posted_form(request, sandbox, session_id)
    if isinstance(values, Response):
        return values
    outcome = read_card(
        values,
        address_required=session.get("billing_address_collection") == "required",
        livemode=bool(session["livemode"]),
    )
    if isinstance(outcome, Invalid):
        return _form_page(sandbox, session, values, outcome.errors, status=400)
    if isinstance(outcome, Declined):
        return _form_page(sandbox, session, values, {}, failure=outcome.decline.message, status=402)
    try:
        complete_checkout(sandbox.store, session_id, outcome)
    except StripeError as error:
        return message_page("Checkout failed", error.message, status=error.status)
    success_url = web_address(session.get("success_url"))
    if success_url is not None:
        return RedirectResponse(
            success_url.replace("{CHECKOUT_SESSION_ID}", session_id), status_code=303
        )
    return message_page("Card saved", "Your card was saved. You can close this page.", status=200)


def _open_session(request: Request, sandbox: Sandbox, session_id: str) -> Document | Response:
    """The open hosted session, or the page saying why there is no form to fill."""
    session = world.hosted_checkout_session(sandbox.store, session_id)
    hosted = session is not None and session.get("ui_mode") == "hosted"
    if session is None or not hosted or not served_here(request, session.get("url")):
        return message_page("Page not found", "There is no checkout at this address.", status=404)
    if session["status"] == "complete":
        return message_page("Checkout complete", "This checkout is already complete.", status=410)
    if session["status"] != "open":
        return message_page("Checkout expired", "This checkout session has expired.", status=410)
    return session


def _form_page(
    sandbox: Sandbox,
    session: Document,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    failure: str | None = None,
    status: int = 200,
) -> Response:
    customer = sandbox.store.get(world.CUSTOMERS, session["customer"]) or {}
    kept = {name: values[name] for name in KEPT_FIELDS if name in values}
    body = [
        f'<p>Email <strong id="customer-email">{text(customer.get("email") or "")}</strong></p>',
        '<p class="muted">Your card is saved for future payments; nothing is charged now.</p>',
        error_line(failure) if failure else "",
        f'<form method="post" action="{text(world.CHECKOUT_PAGE_PATH + session["id"])}">',
        token_field(sandbox, session["id"]),
        card_fields(
            kept, errors, address_required=session.get("billing_address_collection") == "required"
        ),
        '<button type="submit" id="submit">Save card</button></form>',
        link(session.get("cancel_url"), "Back"),
    ]
    return page(TITLE, body, status=status)
