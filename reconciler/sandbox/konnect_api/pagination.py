"""Page-number pagination: `page[number]` (1-based) and `page[size]`, `meta.page` in the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api.query import bad_query

DEFAULT_PAGE_SIZE = 20
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def envelope(self, data: list[dict[str, Any]], total: int) -> dict[str, Any]:
        return {
            "data": data,
            "meta": {"page": {"number": self.number, "size": self.size, "total": total}},
        }


def page_of(request: Request, sandbox: Sandbox) -> Page:
    number = _query_int(request, "page[number]", default=1, minimum=1, maximum=None)
    size = _query_int(
        request,
        "page[size]",
        default=DEFAULT_PAGE_SIZE,
        minimum=1,
        maximum=sandbox.config.max_page_size,
    )
    return Page(number=number, size=size)


def _query_int(
    request: Request, name: str, *, default: int, minimum: int, maximum: int | None
) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    # Decimal digits only: Python's int() also takes " 5", "1_0" and other scripts' digits.
    if not _INTEGER.fullmatch(text):
        raise bad_query(name, "must be an integer", {"rule": "is_integer"})
    value = int(text)
    if value < minimum:
        raise bad_query(name, f"must be at least {minimum}", {"rule": "min", "minimum": minimum})
    if maximum is not None and value > maximum:
        raise bad_query(name, f"must be at most {maximum}", {"rule": "max", "maximum": maximum})
    return value
