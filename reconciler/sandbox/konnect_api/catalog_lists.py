"""Lists of the product catalog (meters, features, plans): `sort` and `filter[...]` as the
v3 document declares them for each, over the documents of one collection.

The catalog is small (tens of objects, not the customers' tens of thousands), so filters
are matched in memory over the live documents, in the order the sort asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import is_ulid
from reconciler.sandbox.konnect_api.endpoint import json
from reconciler.sandbox.konnect_api.errors import problem
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGE_PATHS, QueryParameters, bad_query
from reconciler.sandbox.store import Document

STRING_OPERATORS = ("eq", "neq", "contains", "ocontains", "oeq", "gt", "gte", "lt", "lte", "exists")
EXACT_OPERATORS = ("eq", "oeq", "neq")
ULID_OPERATORS = ("eq", "oeq", "neq")


@dataclass(frozen=True)
class FilterField:
    """A `filter[name]` the operation declares: the document field it reads and its type."""

    path: str
    operators: tuple[str, ...] = STRING_OPERATORS
    ulid: bool = False


@dataclass(frozen=True)
class CatalogList:
    collection: str
    sort_fields: tuple[str, ...]
    filters: Mapping[str, FilterField]
    default_sort: str = "created_at"

    @property
    def query(self) -> QueryParameters:
        paths = {(name,) for name in self.filters} | {
            (name, operator) for name, field in self.filters.items() for operator in field.operators
        }
        return QueryParameters(
            plain=frozenset({"sort"}), deep={"page": PAGE_PATHS, "filter": frozenset(paths)}
        )

    def answer(
        self, request: Request, sandbox: Sandbox, render: Callable[[Document], Document]
    ) -> Response:
        page = page_of(request, sandbox)
        field, descending = self._sort(request.query_params.get("sort"))
        conditions = self._conditions(request)
        found = [
            doc
            for doc in sandbox.store.find(self.collection, {"deleted_at": None})
            if all(_matches(doc, *condition) for condition in conditions)
        ]
        # A stable sort: insertion order breaks ties, as the store's own order does.
        found.sort(key=lambda doc: _sort_key(doc.get(field)), reverse=descending)
        window = found[page.offset : page.offset + page.size]
        return json(page.envelope([render(doc) for doc in window], len(found)))

    def _sort(self, text: str | None) -> tuple[str, bool]:
        if not text:
            return self.default_sort, False
        field, _, direction = text.strip().partition(" ")
        if field not in self.sort_fields or direction not in ("", "asc", "desc"):
            raise problem(
                400,
                "invalid query",
                [
                    {
                        "field": "sort",
                        "reason": f"unsupported sort {text!r}",
                        "rule": "enum",
                        "choices": list(self.sort_fields),
                        "source": "query",
                    }
                ],
            )
        return field, direction == "desc"

    def _conditions(self, request: Request) -> list[tuple[str, str, str]]:
        conditions = []
        for name, value in request.query_params.multi_items():
            if not name.startswith("filter["):
                continue
            parts = name.removeprefix("filter[").rstrip("]").split("][")
            field = self.filters[parts[0]]  # the query check let only declared names through
            operator = parts[1] if len(parts) > 1 else "eq"
            if field.ulid and operator != "oeq" and not is_ulid(value):
                raise bad_query(name, "must be a ULID", {"rule": "matches_regex"})
            if operator == "exists" and value not in ("true", "false"):
                raise bad_query(name, "must be true or false", {"rule": "is_boolean"})
            conditions.append((field.path, operator, value))
        return conditions


def _sort_key(value: Any) -> tuple[int, str]:
    """Missing values first; numbers (a plan's version) in numeric order."""
    if value is None:
        return (0, "")
    if isinstance(value, int):
        return (1, f"{value:020d}")
    return (1, str(value))


def _matches(doc: Document, path: str, operator: str, value: str) -> bool:
    actual = doc.get(path)
    if actual is None:
        return (operator == "exists" and value == "false") or operator == "neq"
    text = str(actual)
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: text == value,
        "neq": lambda: text != value,
        "contains": lambda: value.lower() in text.lower(),
        "ocontains": lambda: any(part.lower() in text.lower() for part in value.split(",")),
        "oeq": lambda: text in value.split(","),
        "gt": lambda: text > value,
        "gte": lambda: text >= value,
        "lt": lambda: text < value,
        "lte": lambda: text <= value,
        "exists": lambda: value != "false",
    }
    return checks[operator]()
