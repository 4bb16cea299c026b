"""What a successful answer must be, checked where it arrives, and said in one line when not.

A write is done only when the API says so: a success status the APIs document, with a body of
the shape the route returns. A redirect is an error naming the host it pointed to; it is never
followed, so a credential never travels to a host it was not meant for. Reads are held to the
same rule, so a login page served with a 200, truncated JSON or `null` is an error, not data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from reconciler.clients.errors import UnexpectedAnswer

SUCCESS_STATUSES = (200, 201, 204)
_MEDIA_TYPE = re.compile(r"[a-z0-9.+-]+/[a-z0-9.+-]+")
# Only what a host name can hold is echoed: the header is the server's, not ours.
_HOST = re.compile(r"[a-z0-9.-]{1,253}|[0-9a-f:.]{2,45}")


@dataclass(frozen=True)
class Expected:
    """The body of a route's success, in words for the error and as a test."""

    description: str
    holds: Callable[[Any], bool]
    may_be_empty: bool = False


def has_id(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("id"), str) and bool(body["id"])


def _is_object(body: Any) -> bool:
    return isinstance(body, dict)


OBJECT = Expected("a JSON object", _is_object)
OBJECT_WITH_ID = Expected("a JSON object with an `id`", has_id)
# Deletes answer 204; a server that echoes the deleted object instead is as good.
NOTHING_OR_OBJECT = Expected("no body or a JSON object", _is_object, may_be_empty=True)


def checked_body(
    method: str,
    route: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    expected: Expected,
) -> Any:
    """The parsed body of a success below 300, or UnexpectedAnswer saying what came instead."""

    def unexpected(what: str) -> UnexpectedAnswer:
        return _not_expected(method, route, status, what, expected)

    if status not in SUCCESS_STATUSES:
        documented = ", ".join(map(str, SUCCESS_STATUSES))
        problem = f"is not a documented success (expected {documented})"
        raise UnexpectedAnswer(method, route, status, problem)
    if not content.strip() and expected.may_be_empty:
        return None
    media = media_type(headers.get("content-type"))
    if not content.strip() or not is_json(media):
        raise unexpected(body_kind(media, content))
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        raise unexpected("a body that is not valid JSON") from None
    return checked_shape(method, route, status, body, expected)


def checked_shape(method: str, route: str, status: int, body: Any, expected: Expected) -> Any:
    """`body` if it has the expected shape, else UnexpectedAnswer saying what it is."""
    if not expected.holds(body):
        raise _not_expected(method, route, status, _json_kind(body), expected)
    return body


def _not_expected(
    method: str, route: str, status: int, what: str, expected: Expected
) -> UnexpectedAnswer:
    return UnexpectedAnswer(method, route, status, f"with {what}; expected {expected.description}")


def redirect_error(
    method: str, route: str, status: int, location: str | None, own_host: str
) -> UnexpectedAnswer:
    """The error for a 3xx: where it pointed, and that reconcile does not go there."""
    target = f"to {_host_of(location, own_host)}" if location else "without a Location"
    problem = f"redirect {target} (redirects are not followed)"
    return UnexpectedAnswer(method, route, status, problem)


def media_type(content_type: str | None) -> str | None:
    """`text/html` of `text/html; charset=utf-8`; None when absent or unreadable."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media if _MEDIA_TYPE.fullmatch(media) else None


def is_json(media: str | None) -> bool:
    if media is None:
        return False
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def body_kind(media: str | None, content: bytes) -> str:
    """A body that is not JSON, in words: `an empty body`, `a body of type text/html`."""
    if not content.strip():
        return "an empty body"
    return f"a body of type {media}" if media else "a body without a content type"


def status_phrase(status: int) -> str:
    """`Not Found` for 404; empty for a status HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _host_of(location: str, own_host: str) -> str:
    try:
        host = urlsplit(location.strip()).hostname
    except ValueError:
        return "an unreadable location"
    if host is None:  # a relative Location points back at the same server
        return own_host
    return host if _HOST.fullmatch(host) else "an unreadable location"


def _json_kind(body: Any) -> str:
    if isinstance(body, dict):
        return "a JSON object of another shape"
    if isinstance(body, list):
        return "a JSON array"
    if body is None:
        return "JSON null"
    if isinstance(body, bool):
        return "a JSON boolean"
    if isinstance(body, str):
        return "a JSON string"
    return "a JSON number"
