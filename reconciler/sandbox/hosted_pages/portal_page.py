"""The page a portal session's `url` opens: Stripe's billing portal, payment methods only.

It lists the customer's cards with the invoice default marked; another card is made the
default with one button, and a new card (checked as on the checkout page) is added as the
default. Only Stripe changes: Konnect keeps the card its checkout linked, if any.
"""

from __future__ import annotations

from typing import NamedTuple

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
    hidden,
    link,
    message_page,
    page,
    text,
)
from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError

TITLE = "Payment methods"


def show(request: Request) -> Response:
    sandbox = sandbox_of(request)
    found = _portal(request, sandbox, request.path_params["session_id"])
    if isinstance(found, Response):
        return found
    session, customer = found
    return _portal_page(sandbox, session, customer)


def make_default(request: Request) -> Response:
    posted = _posted(request)
    if isinstance(posted, Response):
        return posted
    sandbox, session, customer, values = posted
    method_id = values.get("payment_method", "")
    try:
        world.set_default_payment_method(
            sandbox.store, session[world.OWNER], customer["id"], method_id
        )
    except StripeError:
        failure = "That payment method is not one of yours."
        return _portal_page(sandbox, session, customer, failure=failure, status=400)
    return _back_to_page(session["id"])


def add_card(request: Request) -> Response:
    posted = _posted(request)
    if isinstance(posted, Response):
        return posted
    sandbox, session, customer, values = posted
    outcome = read_card(values, address_required=False, livemode=bool(session["livemode"]))
    if isinstance(outcome, Invalid):
        return _portal_page(
            sandbox, session, customer, values=values, errors=outcome.errors, status=400
        )
    if isinstance(outcome, Declined):
        failure = outcome.decline.message
        return _portal_page(sandbox, session, customer, values=values, failure=failure, status=402)
    with sandbox.store.transaction():
        world.save_collected_card(sandbox.store, session[world.OWNER], customer, outcome)
    return _back_to_page(session["id"])


class _Posted(NamedTuple):
    """A form posted to a live portal."""

    sandbox: Sandbox
    session: Document
    customer: Document
    values: dict[str, str]


def _posted(request: Request) -> _Posted | Response:
    """The portal, its customer and the posted fields, or the page saying why there are none."""
    sandbox = sandbox_of(request)
    session_id = request.path_params["session_id"]
    found = _portal(request, sandbox, session_id)
    if isinstance(found, Response):
        return found
    values = posted_form(request, sandbox, session_id)
    if isinstance(values, Response):
        return values
    session, customer = found
    return _Posted(sandbox, session, customer, values)


def _portal(
    request: Request, sandbox: Sandbox, session_id: str
) -> tuple[Document, Document] | Response:
    """The portal session and its live customer, or the page saying why there is none."""
    session = world.hosted_portal_session(sandbox.store, session_id)
    if session is None or not served_here(request, session.get("url")):
        return message_page("Page not found", "There is no portal at this address.", status=404)
    customer = sandbox.store.get(world.CUSTOMERS, session["customer"])
    if customer is None or customer.get("deleted"):
        return message_page("Customer deleted", "This customer no longer exists.", status=410)
    return session, customer


def _back_to_page(session_id: str) -> Response:
    # Post, then redirect: reloading the page does not post again.
    return RedirectResponse(world.PORTAL_PAGE_PATH + session_id, status_code=303)


def _portal_page(
    sandbox: Sandbox,
    session: Document,
    customer: Document,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    failure: str | None = None,
    status: int = 200,
) -> Response:
    action = world.PORTAL_PAGE_PATH + session["id"]
    kept = {name: value for name, value in (values or {}).items() if name in KEPT_FIELDS}
    body = [
        f"<p>{text(customer.get('name') or '')} "
        f'<span class="muted">{text(customer.get("email") or "")}</span></p>',
        error_line(failure) if failure else "",
        _methods_table(sandbox, session, customer),
        "<h2>Add a card</h2>",
        '<p class="muted">The new card becomes your default payment method.</p>',
        f'<form method="post" action="{text(action)}/cards">',
        token_field(sandbox, session["id"]),
        card_fields(kept, errors or {}, address_required=False),
        '<button type="submit" id="add-card">Add card</button></form>',
        link(session.get("return_url"), "Return"),
    ]
    return page(TITLE, body, status=status)


def _methods_table(sandbox: Sandbox, session: Document, customer: Document) -> str:
    methods = sandbox.store.find(
        world.PAYMENT_METHODS, {world.OWNER: session[world.OWNER], "customer": customer["id"]}
    )
    if not methods:
        return '<p id="no-methods">No payment method yet.</p>'
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    rows = [_method_row(sandbox, session, method, default) for method in methods]
    return f'<table id="payment-methods">{"".join(rows)}</table>'


def _method_row(sandbox: Sandbox, session: Document, method: Document, default: str | None) -> str:
    card = method.get("card") or {}
    described = (
        f"{str(card.get('brand', 'card')).title()} •••• {card.get('last4', '')}, "
        f"expires {card.get('exp_month', 0):02d}/{card.get('exp_year', '')}"
    )
    if method["id"] == default:
        action = '<span class="badge">Default</span>'
    else:
        action = (
            f'<form method="post" action="{text(world.PORTAL_PAGE_PATH + session["id"])}/default">'
            f"{token_field(sandbox, session['id'])}{hidden('payment_method', method['id'])}"
            f'<button type="submit">Make default</button></form>'
        )
    return f'<tr id="{text(method["id"])}"><td>{text(described)}</td><td>{action}</td></tr>'
