"""The query parameters a list operation declares, checked as the v3 server checks them.

The server validates the query against its document before any handler runs. Under a
deepObject parameter (`page`, `filter`) only the properties the document declares may appear,
each bracketed as deepObject style brackets it (`page[size]`, `filter[key][eq]`), and a
parameter with one value comes once. Names the document does not declare at all are ignored,
as the server's validator ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from reconciler.sandbox.konnect_api.errors import KonnectError, problem

PropertyPath = tuple[str, ...]
# `name[a][b]`: the parameter's name, then its bracketed property path.
_KEY = re.compile(r"^(?P<name>[^\[\]]+)(?P<path>(?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")

PAGE_PATHS: frozenset[PropertyPath] = frozenset({("size",), ("number",)})


@dataclass(frozen=True)
class QueryParameters:
    """What an operation declares: plain parameters, and deepObject ones with their paths."""

    plain: frozenset[str] = frozenset()
    deep: Mapping[str, frozenset[PropertyPath]] = field(default_factory=dict)


PAGED = QueryParameters(deep={"page": PAGE_PATHS})


def check_query(request: Request, declared: QueryParameters) -> None:
    """400 for the first key that breaks what the operation declares."""
    for key in dict.fromkeys(request.query_params.keys()):
        _check_key(request, key, declared)


def _check_key(request: Request, key: str, declared: QueryParameters) -> None:
    match = _KEY.match(key)
    name = match["name"] if match else key.partition("[")[0]
    if name in declared.deep:
        path: PropertyPath = tuple(_SEGMENT.findall(match["path"])) if match else ()
        if not path or not all(path):
            raise bad_query(key, "not a property of a deepObject parameter", {"rule": "format"})
        if path not in declared.deep[name]:
            raise bad_query(key, "unknown property", {"rule": "unknown_property"})
    elif name not in declared.plain or key != name:
        return  # undeclared: not the validator's business
    if len(request.query_params.getlist(key)) > 1:
        raise bad_query(key, "must be given once", {"rule": "too_many_values"})


def bad_query(name: str, reason: str, rule: dict[str, Any]) -> KonnectError:
    return problem(
        400, "invalid query", [{"field": name, "reason": reason, "source": "query", **rule}]
    )
