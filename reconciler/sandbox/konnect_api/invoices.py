"""Billing invoices (`GET /billing/invoices`) and the rule they put on uninstalling an app.

Invoices come from usage and subscriptions, which the sandbox does not emulate: a test or a
demo makes them through the admin action (`POST /_sandbox/konnect/invoices`), naming the
customer, the profile they were made from and their status. On the server an app is not
uninstalled while an invoice in a non-final state uses it (`IsAppUsed` in OpenMeter's
billing adapter answers 409 naming each `NUMBER[ID]`); the sandbox keeps that rule.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.collection_names import CUSTOMERS, INVOICES, PROFILES
from reconciler.sandbox.konnect_api.endpoint import json
from reconciler.sandbox.konnect_api.errors import KonnectError, problem
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGE_PATHS, QueryParameters, bad_query
from reconciler.sandbox.store import Document, Store

STATUSES = (
    "draft",
    "issuing",
    "issued",
    "payment_processing",
    "overdue",
    "paid",
    "uncollectible",
    "voided",
)
# The v3 statuses of the server's non-final states that keep an app in use (drafts do not).
IN_FLIGHT = ("issuing", "issued", "payment_processing", "overdue")
_FILTERED = ("status", "customer_id")
SORT_FIELDS = ("created_at", "issued_at", "service_period_start")
LIST_QUERY = QueryParameters(
    plain=frozenset({"sort"}),
    deep={
        "page": PAGE_PATHS,
        # The sandbox filters on these two; the document's date filters are refused as unknown.
        "filter": frozenset(
            {(field,) for field in _FILTERED}
            | {(field, op) for field in _FILTERED for op in ("eq", "oeq", "neq")}
        ),
    },
)
_ZERO = "0"
_TOTALS = (
    "amount",
    "taxes_total",
    "taxes_inclusive_total",
    "taxes_exclusive_total",
    "charges_total",
    "discounts_total",
    "credits_total",
    "total",
)


def list_invoices(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    field, descending = _sort(request.query_params.get("sort"))
    conditions = [_condition(request, field) for field in _FILTERED]
    matching = [
        invoice
        for invoice in sandbox.store.find(INVOICES, {"deleted_at": None})
        if all(_holds(invoice, condition) for condition in conditions if condition)
    ]
    matching.sort(key=lambda invoice: _sort_value(invoice, field), reverse=descending)
    window = matching[page.offset : page.offset + page.size]
    return json(page.envelope(window, len(matching)))


def _sort(text: str | None) -> tuple[str, bool]:
    if not text:
        return "created_at", False
    field, _, direction = text.strip().partition(" ")
    if field not in SORT_FIELDS or direction not in ("", "asc", "desc"):
        rule = {"rule": "enum", "choices": list(SORT_FIELDS)}
        raise bad_query("sort", f"unsupported sort {text!r}", rule)
    return field, direction == "desc"


def _sort_value(invoice: Document, field: str) -> str:
    if field == "service_period_start":
        return str(invoice["service_period"]["from"])
    return str(invoice.get(field) or "")


def _condition(request: Request, field: str) -> tuple[str, str, frozenset[str]] | None:
    """(field, operator, values) of `filter[field]` or `filter[field][op]`; None when absent."""
    for operator in ("eq", "oeq", "neq"):
        text = request.query_params.get(f"filter[{field}][{operator}]")
        if text is not None:
            return field, operator, frozenset(text.split(",") if operator == "oeq" else [text])
    text = request.query_params.get(f"filter[{field}]")
    return None if text is None else (field, "eq", frozenset([text]))


def _holds(invoice: Document, condition: tuple[str, str, frozenset[str]]) -> bool:
    field, operator, values = condition
    value = invoice["status"] if field == "status" else invoice["customer"]["id"]
    return (value in values) != (operator == "neq")


def in_flight_using(store: Store, app_id: str) -> list[Document]:
    """The invoices in a non-final state that one of whose apps is `app_id`."""
    return [
        invoice
        for invoice in store.find(INVOICES, {"deleted_at": None})
        if invoice["status"] in IN_FLIGHT
        and app_id in {ref["id"] for ref in invoice["workflow"]["apps"].values()}
    ]


def refuse_uninstall(store: Store, app_id: str) -> None:
    """409, as the server answers, while invoices in flight use the app."""
    using = in_flight_using(store, app_id)
    if using:
        named = ",".join(f"{invoice['number']}[{invoice['id']}]" for invoice in using)
        raise problem(409, f"app is used in {len(using)} non-finalized invoices: {named}")


def create_invoice(store: Store, request: dict[str, Any]) -> Document:
    """An invoice for a customer (by key) made from a profile (by name), as the server would
    have made it: the profile's supplier, apps and workflow snapshotted."""
    status = request.get("status", "issued")
    if status not in STATUSES:
        raise problem(400, f"status must be one of {', '.join(STATUSES)}")
    customer = _one(store, CUSTOMERS, "key", request.get("customer"), "customer")
    profile = _one(store, PROFILES, "name", request.get("profile"), "billing profile")
    now = rfc3339_now()
    invoice_id = new_ulid()
    invoice = {
        "id": invoice_id,
        "type": "standard",
        "number": str(request.get("number") or f"INV-{invoice_id[-6:]}"),
        "currency": str(request.get("currency", "USD")),
        "status": status,
        "created_at": now,
        "updated_at": now,
        "supplier": profile.get("supplier") or {},
        "customer": {"id": customer["id"], "key": customer["key"], "name": customer["name"]},
        "totals": dict.fromkeys(_TOTALS, _ZERO),
        "service_period": {"from": now, "to": now},
        "status_details": {
            "immutable": status not in ("draft",),
            "failed": False,
            "extended_status": status,
            "available_actions": {},
        },
        "workflow": {
            "apps": {role: dict(ref) for role, ref in profile["apps"].items()},
            "source_billing_profile": {"id": profile["id"]},
            "workflow": {"payment": (profile.get("workflow") or {}).get("payment", {})},
        },
    }
    if status not in ("draft", "issuing"):
        invoice["issued_at"] = now
    store.put(INVOICES, invoice_id, invoice)
    return invoice


def _one(store: Store, collection: str, field: str, value: Any, what: str) -> Document:
    found = store.find(collection, {field: value, "deleted_at": None}, limit=1)
    if not found:
        raise KonnectError(400, {"error": f"no live {what} with {field} {value!r}"})
    return found[0]
