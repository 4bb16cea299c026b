"""Customers (`/customers`): unique key, subject keys owned by one customer, soft delete.

Billing data (pin and app data) lives on the customer document under `_` fields so that a
billing read is one document read; see `customer_billing`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import is_ulid, new_ulid
from reconciler.sandbox.konnect_api.collection_names import CUSTOMERS, PINNED_PROFILE, SUBJECT_KEYS
from reconciler.sandbox.konnect_api.endpoint import (
    endpoint,
    json,
    no_content,
    parse_body,
    path_id,
)
from reconciler.sandbox.konnect_api.errors import not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels, labels_for_read
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGE_PATHS, QueryParameters, bad_query
from reconciler.sandbox.konnect_api.schemas import (
    Address,
    CurrencyCode,
    Description,
    Labels,
    Name,
    Sealed,
    public,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document, Store

SORT_FIELDS = ("id", "name", "created_at")
OPTIONAL_FIELDS = (
    "description",
    "usage_attribution",
    "primary_email",
    "currency",
    "billing_address",
)
FILTER_FIELDS = {
    "key": "key",
    "name": "name",
    "primary_email": "primary_email",
    "usage_attribution_subject_key": "usage_attribution.subject_keys",
    "plan_key": "_plan_key",
    "billing_profile_id": PINNED_PROFILE,
}
_FILTER = re.compile(r"^filter\[(\w+)\](?:\[(\w+)\])?$")
STRING_OPERATORS = ("eq", "neq", "contains", "oeq", "ocontains", "gt", "gte", "lt", "lte", "exists")
ULID_OPERATORS = ("eq", "oeq", "neq")
# `filter[field]` (equality) or `filter[field][operator]`, the operators the field's type has.
FILTER_PATHS = frozenset(
    {(field,) for field in FILTER_FIELDS}
    | {
        (field, operator)
        for field in FILTER_FIELDS
        for operator in (ULID_OPERATORS if field == "billing_profile_id" else STRING_OPERATORS)
    }
)
LIST_QUERY = QueryParameters(
    plain=frozenset({"sort"}), deep={"page": PAGE_PATHS, "filter": FILTER_PATHS}
)


class UsageAttribution(Sealed):
    subject_keys: list[Annotated[str, StringConstraints(min_length=1)]]


class UpsertCustomer(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    usage_attribution: UsageAttribution | None = None
    primary_email: str | None = None
    currency: CurrencyCode | None = None
    billing_address: Address | None = None


class CreateCustomer(UpsertCustomer):
    key: Annotated[str, StringConstraints(min_length=1, max_length=256)]


def render(customer: Document) -> Document:
    shown = public(customer)
    shown["labels"] = labels_for_read(customer)
    return shown


def stored_customer(request: Request, sandbox: Sandbox) -> Document:
    customer = sandbox.store.get(CUSTOMERS, path_id(request, "customer_id", "customer"))
    if customer is None:
        raise not_found("customer")
    return customer


def writable_customer(request: Request, sandbox: Sandbox) -> Document:
    """The customer for a write: 410 once it is deleted."""
    customer = stored_customer(request, sandbox)
    if customer.get("deleted_at"):
        raise problem(410, "customer has been deleted")
    return customer


def _apply(customer: Document, body: UpsertCustomer) -> None:
    fields = body.present()
    customer["name"] = body.name
    customer["labels"] = check_labels(body.labels)
    for field in (
        "description",
        "usage_attribution",
        "primary_email",
        "currency",
        "billing_address",
    ):
        set_optional(customer, field, fields.get(field))


def _claim_subject_keys(
    store: Store, customer_id: str, previous: list[str], keys: list[str]
) -> None:
    for key in keys:
        owner = store.get(SUBJECT_KEYS, key)
        if owner is not None and owner["customer_id"] != customer_id:
            raise problem(409, f"subject key {key!r} already belongs to another customer")
    for key in previous:
        if key not in keys:
            store.delete(SUBJECT_KEYS, key)
    for key in keys:
        store.put(SUBJECT_KEYS, key, {"id": key, "customer_id": customer_id})


def _subject_keys(customer: Document) -> list[str]:
    keys: list[str] = (customer.get("usage_attribution") or {}).get("subject_keys", [])
    return keys


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateCustomer)
    return json(render(create_customer(sandbox.store, body)), 201)


def create_customer(store: Store, body: CreateCustomer) -> Document:
    """A new customer; 409 when a live customer has its key or one of its subject keys."""
    customer = stamp_new({"id": new_ulid(), "key": body.key})
    _apply(customer, body)
    with store.transaction():
        if live_customer_with_key(store, body.key) is not None:
            raise problem(409, f"customer with key {body.key!r} already exists")
        _claim_subject_keys(store, customer["id"], [], _subject_keys(customer))
        store.put(CUSTOMERS, customer["id"], customer)
    return customer


def live_customer_with_key(store: Store, key: str) -> Document | None:
    found = store.find(CUSTOMERS, {"key": key, "deleted_at": None}, limit=1)
    return found[0] if found else None


def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(render(stored_customer(request, sandbox)))


def _update(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpsertCustomer)
    store = sandbox.store
    with store.transaction():
        customer = writable_customer(request, sandbox)
        previous_keys = _subject_keys(customer)
        _apply(customer, body)  # the key is not part of the body: the stored one stays
        _claim_subject_keys(store, customer["id"], previous_keys, _subject_keys(customer))
        customer["updated_at"] = rfc3339_now()
        store.put(CUSTOMERS, customer["id"], customer)
    return json(render(customer))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        customer = stored_customer(request, sandbox)
        if not customer.get("deleted_at"):
            for key in _subject_keys(customer):
                store.delete(SUBJECT_KEYS, key)
            customer["deleted_at"] = rfc3339_now()
            customer["updated_at"] = customer["deleted_at"]
            store.put(CUSTOMERS, customer["id"], customer)
    return no_content()


# --- list -----------------------------------------------------------------------------------


def _list(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    order_by, descending = _sort(request.query_params.get("sort"))
    equal, others = _filters(request)
    where: dict[str, Any] = {"deleted_at": None, **equal}
    store = sandbox.store
    if "key" in equal:
        order_by = None  # keys are unique among live customers: nothing to sort, use the key index
    if not others:
        found, total = store.page(
            CUSTOMERS,
            where,
            order_by=order_by,
            descending=descending,
            offset=page.offset,
            limit=page.size,
        )
        return json(page.envelope([render(c) for c in found], total))
    # Operators the store cannot express are rare; match them here over the equality subset.
    matching = [
        customer
        for customer in store.find(CUSTOMERS, where, order_by=order_by, descending=descending)
        if all(_matches(customer, *condition) for condition in others)
    ]
    window = matching[page.offset : page.offset + page.size]
    return json(page.envelope([render(c) for c in window], len(matching)))


def _sort(text: str | None) -> tuple[str | None, bool]:
    if not text:
        return "name", False
    field, _, direction = text.strip().partition(" ")
    if field not in SORT_FIELDS or direction not in ("", "asc", "desc"):
        raise problem(
            400,
            "invalid query",
            [
                {
                    "field": "sort",
                    "reason": f"unsupported sort {text!r}",
                    "rule": "enum",
                    "choices": list(SORT_FIELDS),
                    "source": "query",
                }
            ],
        )
    return field, direction == "desc"


Condition = tuple[str, str, str]


def _filters(request: Request) -> tuple[dict[str, Any], list[Condition]]:
    equal: dict[str, Any] = {}
    others: list[Condition] = []
    for name, value in request.query_params.multi_items():
        match = _FILTER.match(name)
        if match is None:
            continue
        field, operator = match.group(1), match.group(2) or "eq"
        _check_filter(name, field, operator, value)
        path = FILTER_FIELDS[field]
        if operator == "eq" and field != "usage_attribution_subject_key":
            equal[path] = value
        else:
            others.append((path, operator, value))
    return equal, others


def _check_filter(name: str, field: str, operator: str, value: str) -> None:
    """The values the document types: ULIDs for `billing_profile_id`, a boolean for `exists`.
    Which fields and operators exist was checked with the rest of the query."""
    if field == "billing_profile_id" and not all(is_ulid(v) for v in value.split(",")):
        raise bad_query(name, "must be a ULID", {"rule": "matches_regex"})
    if operator == "exists" and value not in ("true", "false"):
        raise bad_query(name, "must be true or false", {"rule": "is_boolean"})


def _matches(customer: Document, path: str, operator: str, value: str) -> bool:
    actual = _lookup(customer, path)
    values = [str(v) for v in actual] if isinstance(actual, list) else [str(actual)]
    if actual is None:
        return (operator == "exists" and value == "false") or operator == "neq"
    checks: dict[str, Callable[[str], bool]] = {
        "eq": lambda v: v == value,
        "neq": lambda v: v != value,
        "contains": lambda v: value.lower() in v.lower(),
        "oeq": lambda v: v in value.split(","),
        "ocontains": lambda v: any(p.lower() in v.lower() for p in value.split(",")),
        "gt": lambda v: v > value,
        "gte": lambda v: v >= value,
        "lt": lambda v: v < value,
        "lte": lambda v: v <= value,
        "exists": lambda v: value != "false",
    }
    check = checks[operator]
    if operator == "neq":
        return all(check(v) for v in values)
    return any(check(v) for v in values)


def _lookup(doc: Document, path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def routes() -> list[BaseRoute]:
    return [
        Route("/customers", endpoint(_list, LIST_QUERY), methods=["GET"]),
        Route("/customers", endpoint(_create), methods=["POST"]),
        Route("/customers/{customer_id}", endpoint(_get), methods=["GET"]),
        Route("/customers/{customer_id}", endpoint(_update), methods=["PUT"]),
        Route("/customers/{customer_id}", endpoint(_delete), methods=["DELETE"]),
    ]
