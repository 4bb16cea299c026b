"""`GET /v1/customers/search`: Stripe's search query language over the account's customers.

Clauses such as `email:'a@b.c'`, `name~'acm'`, `metadata['k']:'v'`, `created>1700000000`, each
negatable with `-`, joined by AND or by OR (not both). Unlike Stripe, results are immediately
consistent; pages are addressed by an opaque `page` token.
"""

from __future__ import annotations

import base64
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.sandbox.store import Document
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.endpoint import StripeCall
from reconciler.sandbox.stripe_api.errors import StripeError, invalid_param
from reconciler.sandbox.stripe_api.expansion import expand, expand_paths
from reconciler.sandbox.stripe_api.listing import DEFAULT_LIMIT, MAX_LIMIT
from reconciler.sandbox.stripe_api.params import integer, string

SEARCH_PARAMS = ("query", "limit", "page")
MAX_CLAUSES = 10
MIN_SUBSTRING = 3
_FIELDS = ("created", "email", "name", "phone")
_CLAUSE = re.compile(
    r"""^(?P<negated>-)?
        (?:metadata\[['"](?P<key>[^'"]+)['"]\]|(?P<field>[a-z_]+))
        (?P<op>:|~|>=|<=|>|<)
        (?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<number>\d+))$""",
    re.VERBOSE,
)
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Clause:
    path: tuple[str, ...]
    op: str
    value: str
    negated: bool

    def matches(self, customer: Document) -> bool:
        actual: Any = customer
        for part in self.path:
            actual = actual.get(part) if isinstance(actual, dict) else None
        return self._holds(actual) != self.negated

    def _holds(self, actual: Any) -> bool:
        if actual is None:
            return False
        if self.op == ":":
            return str(actual) == self.value
        if self.op == "~":
            return self.value.lower() in str(actual).lower()
        return isinstance(actual, int) and _COMPARISONS[self.op](actual, int(self.value))


def search_customers(call: StripeCall) -> Document:
    query = string(call.params, "query", required=True)
    assert query is not None
    clauses, joiner = parse_query(query)
    limit = integer(call.params, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    start = _offset_of(string(call.params, "page"))
    live = call.store.find(
        world.CUSTOMERS, {world.OWNER: call.account_id, "deleted": None}, descending=True
    )
    found = [doc for doc in live if joiner(clause.matches(doc) for clause in clauses)]
    page = found[start : start + limit]
    has_more = start + limit < len(found)
    result: Document = {
        "object": "search_result",
        "data": [world.public(doc) for doc in page],
        "has_more": has_more,
        "next_page": _token(start + limit) if has_more else None,
        "url": "/v1/customers/search",
    }
    paths = expand_paths(call.params)
    if "total_count" in paths:
        result["total_count"] = len(found)
    return expand(call.store, call.account_id, result, [p for p in paths if p != "total_count"])


def parse_query(query: str) -> tuple[list[Clause], Callable[[Any], bool]]:
    has_and, has_or = " AND " in query, " OR " in query
    if has_and and has_or:
        raise _bad_query("AND and OR cannot be combined in one query.")
    parts = re.split(r"\s+(?:AND|OR)\s+", query.strip())
    if len(parts) > MAX_CLAUSES:
        raise _bad_query(f"A query can have at most {MAX_CLAUSES} clauses.")
    return [_clause(part) for part in parts], any if has_or else all


def _clause(text: str) -> Clause:
    match = _CLAUSE.match(text.strip())
    if match is None:
        raise _bad_query(f"Could not parse the clause `{text}`.")
    field, key, op = match["field"], match["key"], match["op"]
    if field is not None and field not in _FIELDS:
        raise _bad_query(f"Field `{field}` is not supported for customers.")
    value = match["single"] if match["single"] is not None else match["double"]
    if value is None:
        value = match["number"]
    if op in _COMPARISONS and (field != "created" or match["number"] is None):
        raise _bad_query("Range comparisons work on `created` with a number only.")
    if op == "~" and len(value) < MIN_SUBSTRING:
        raise _bad_query(f"Substring matches need at least {MIN_SUBSTRING} characters.")
    path: tuple[str, ...] = ("metadata", key) if key is not None else (str(field),)
    return Clause(path, op, value, negated=match["negated"] is not None)


def _bad_query(reason: str) -> StripeError:
    return invalid_param("query", f"Invalid search query: {reason}")


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset_of(page: str | None) -> int:
    if not page:
        return 0
    try:
        label, _, number = base64.urlsafe_b64decode(page.encode()).decode().partition(":")
        if label == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise invalid_param("page", "Invalid page token.")
