"""Tax codes (`/tax-codes`) and the organization default tax codes (`/defaults/tax-codes`).

Deleting a tax code is switched off on the real server (always 403), and system-managed
codes (created by the server when a Stripe code is referenced) cannot be updated.
"""

from __future__ import annotations

import re
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.collection_names import ORGANIZATION_DEFAULTS, TAX_CODES
from reconciler.sandbox.konnect_api.endpoint import endpoint, json, parse_body, path_id
from reconciler.sandbox.konnect_api.errors import billing_problem, invalid, not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels, labels_for_read
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGE_PATHS, QueryParameters
from reconciler.sandbox.konnect_api.schemas import (
    Description,
    Labels,
    Name,
    Reference,
    ResourceKey,
    Sealed,
    public,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document, Store

DEFAULT_TAX_CODES_ID = "tax_codes"
SYSTEM_MANAGED = "_system_managed"
STRIPE_TAX_CODE = re.compile(r"^txcd_\d{8}$")
# Stripe's "general - electronically supplied services", the code the org starts with
GENERAL_STRIPE_CODE = "txcd_10000000"
_LIST_QUERY = QueryParameters(plain=frozenset({"include_deleted"}), deep={"page": PAGE_PATHS})


class AppMapping(Sealed):
    app_type: Literal["sandbox", "stripe", "external_invoicing"]
    tax_code: str


class UpsertTaxCode(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    app_mappings: list[AppMapping]


class CreateTaxCode(UpsertTaxCode):
    key: ResourceKey


class UpdateDefaults(Sealed):
    invoicing_tax_code: Reference | None = None
    credit_grant_tax_code: Reference | None = None


def render(tax_code: Document) -> Document:
    shown = public(tax_code)
    shown["labels"] = labels_for_read(tax_code)
    return shown


def _mappings(mappings: list[AppMapping]) -> list[Document]:
    types = [mapping.app_type for mapping in mappings]
    if len(set(types)) != len(types):
        raise billing_problem(400, "app_types_must_be_unique", "app types must be unique")
    for mapping in mappings:
        if not mapping.tax_code:
            raise billing_problem(400, "tax_code_required", "tax code must not be empty")
        if mapping.app_type == "stripe" and not STRIPE_TAX_CODE.match(mapping.tax_code):
            raise billing_problem(
                400, "tax_code_stripe_invalid", "stripe tax code must match ^txcd_\\d{8}$"
            )
    return [mapping.present() for mapping in mappings]


def create_system_managed(store: Store, stripe_code: str) -> Document:
    """The code the server creates itself when a Stripe tax code is referenced somewhere."""
    key = f"stripe_{stripe_code}"
    with store.transaction():
        existing = store.find(TAX_CODES, {"key": key, "deleted_at": None}, limit=1)
        if existing:
            return existing[0]
        tax_code = stamp_new(
            {
                "id": new_ulid(),
                "name": stripe_code,
                "labels": {},
                "key": key,
                "app_mappings": [{"app_type": "stripe", "tax_code": stripe_code}],
                SYSTEM_MANAGED: True,
            }
        )
        return store.put(TAX_CODES, tax_code["id"], tax_code)


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateTaxCode)
    store = sandbox.store
    tax_code = stamp_new(
        {
            "id": new_ulid(),
            "name": body.name,
            "labels": check_labels(body.labels),
            "key": body.key,
            "app_mappings": _mappings(body.app_mappings),
        }
    )
    set_optional(tax_code, "description", body.description)
    with store.transaction():
        if store.count(TAX_CODES, {"key": body.key, "deleted_at": None}):
            raise problem(409, "tax code with the same key already exists")
        store.put(TAX_CODES, tax_code["id"], tax_code)
    return json(render(tax_code), 201)


def _list(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    flag = request.query_params.get("include_deleted", "false")
    if flag not in ("true", "false"):
        raise invalid("include_deleted", "must be true or false", "is_boolean", "query")
    where = {} if flag == "true" else {"deleted_at": None}
    store = sandbox.store
    # A real org holds its general code from the start: a list read before the defaults
    # must not miss the code they name (a first plan would call it "not found").
    organization_defaults(store)
    found, total = store.page(TAX_CODES, where, offset=page.offset, limit=page.size)
    return json(page.envelope([render(t) for t in found], total))


def _stored(request: Request, sandbox: Sandbox) -> Document:
    tax_code = sandbox.store.get(TAX_CODES, path_id(request, "tax_code_id", "tax code"))
    if tax_code is None:
        raise not_found("tax code")
    return tax_code


def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(render(_stored(request, sandbox)))


def _update(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpsertTaxCode)
    store = sandbox.store
    with store.transaction():
        tax_code = _stored(request, sandbox)
        if tax_code.get("deleted_at"):
            raise problem(410, "tax code has been deleted")
        if tax_code.get(SYSTEM_MANAGED):
            raise billing_problem(
                409, "tax_code_managed_by_system", "tax code is managed by the system"
            )
        tax_code.update(
            {
                "name": body.name,
                "labels": check_labels(body.labels),
                "app_mappings": _mappings(body.app_mappings),
                "updated_at": rfc3339_now(),
            }
        )
        set_optional(tax_code, "description", body.description)
        store.put(TAX_CODES, tax_code["id"], tax_code)
    return json(render(tax_code))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    _stored(request, sandbox)
    raise problem(403, "deleting tax codes is not allowed")


# --- organization defaults ------------------------------------------------------------------


def organization_defaults(store: Store) -> Document:
    """The org's default tax codes, provisioned on first use as the real org is."""
    with store.transaction():
        defaults = store.get(ORGANIZATION_DEFAULTS, DEFAULT_TAX_CODES_ID)
        if defaults is None:
            general = create_system_managed(store, GENERAL_STRIPE_CODE)
            defaults = stamp_new(
                {
                    "id": DEFAULT_TAX_CODES_ID,
                    "invoicing_tax_code": {"id": general["id"]},
                    "credit_grant_tax_code": {"id": general["id"]},
                }
            )
            store.put(ORGANIZATION_DEFAULTS, DEFAULT_TAX_CODES_ID, defaults)
    return defaults


def _render_defaults(defaults: Document) -> Document:
    return {key: value for key, value in public(defaults).items() if key != "id"}


def _get_defaults(request: Request, sandbox: Sandbox) -> Response:
    return json(_render_defaults(organization_defaults(sandbox.store)))


def _put_defaults(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpdateDefaults)
    # The schema makes both optional; the server's converter insists on both.
    if body.invoicing_tax_code is None:
        raise invalid("invoicing_tax_code.id", "invoicing_tax_code.id is required", "required")
    if body.credit_grant_tax_code is None:
        raise invalid(
            "credit_grant_tax_code.id", "credit_grant_tax_code.id is required", "required"
        )
    store = sandbox.store
    with store.transaction():
        defaults = organization_defaults(store)
        for field in ("invoicing_tax_code", "credit_grant_tax_code"):
            reference: Reference = getattr(body, field)
            tax_code = store.get(TAX_CODES, reference.id)
            if tax_code is None or tax_code.get("deleted_at"):
                raise invalid(f"{field}.id", "tax code not found", "missing_reference")
            defaults[field] = {"id": reference.id}
        defaults["updated_at"] = rfc3339_now()
        store.put(ORGANIZATION_DEFAULTS, DEFAULT_TAX_CODES_ID, defaults)
    return json(_render_defaults(defaults))


def routes() -> list[BaseRoute]:
    return [
        Route("/tax-codes", endpoint(_list, _LIST_QUERY), methods=["GET"]),
        Route("/tax-codes", endpoint(_create), methods=["POST"]),
        Route("/tax-codes/{tax_code_id}", endpoint(_get), methods=["GET"]),
        Route("/tax-codes/{tax_code_id}", endpoint(_update), methods=["PUT"]),
        Route("/tax-codes/{tax_code_id}", endpoint(_delete), methods=["DELETE"]),
        Route("/defaults/tax-codes", endpoint(_get_defaults), methods=["GET"]),
        Route("/defaults/tax-codes", endpoint(_put_defaults), methods=["PUT"]),
    ]
