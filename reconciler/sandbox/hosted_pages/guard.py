"""Where a page is served, and what a posted form must show before a page acts on it.

A session's page is served only on the origin its `url` names, the sandbox's address as the
session's maker reached it: under another host name (a rebound DNS name) there is none.

A posted form must come from the page's own origin (a browser sends `Origin` with every form
post; another site's post is refused) and carry the token the page put in it, which signs
the session it was served for: another site cannot read it, and it is good only on the
sandbox process that served it.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse

from reconciler.sandbox.context import Sandbox, origin_of, raw_body
from reconciler.sandbox.hosted_pages.html import hidden, message_page

TOKEN_FIELD = "form_token"
MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 40


def served_here(request: Request, url: object) -> bool:
    """Whether the request came to the origin of the session's page `url` (None once used up;
    a bare path for a session made without a request)."""
    if not isinstance(url, str) or url.startswith("/"):
        return True
    return url.startswith(origin_of(request) + "/")


def form_token(sandbox: Sandbox, session_id: str) -> str:
    return hmac.new(sandbox.page_key, session_id.encode(), hashlib.sha256).hexdigest()


def token_field(sandbox: Sandbox, session_id: str) -> str:
    return hidden(TOKEN_FIELD, form_token(sandbox, session_id))


def posted_form(
    request: Request, sandbox: Sandbox, session_id: str
) -> dict[str, str] | HTMLResponse:
    """The posted fields (the first of each name), or the page refusing the post."""
    origin = request.headers.get("origin")
    if origin is not None and origin != origin_of(request):
        return _refused("The form was sent from another site.")
    body = raw_body(request)
    if len(body) > MAX_FORM_BYTES:
        return message_page("Form too large", "The form is too large.", status=413)
    try:
        pairs = parse_qsl(
            body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        return message_page("Unreadable form", "The form could not be read.", status=400)
    values: dict[str, str] = {}
    for name, value in pairs:
        values.setdefault(name, value)
    expected = form_token(sandbox, session_id)
    if not hmac.compare_digest(values.get(TOKEN_FIELD, "").encode(), expected.encode()):
        return _refused("This form has expired or did not come from this page: reload the page.")
    return values


def _refused(message: str) -> HTMLResponse:
    return message_page("Form refused", message, status=403)
