"""A plan version's add-ons (`/plans/{planId}/addons`): which published add-on a
subscription to the plan may buy, from which phase on, and how many.

The server's rules: assignments change only on a draft plan; the add-on must be active and
in the plan's currency; a plan takes an add-on once (409). A phase key the plan lacks, or a
quantity that does not fit the add-on's instance type, is kept as a validation error that
refuses the plan's publish.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.catalog_versions import (
    ACTIVE,
    DRAFT,
    PLAN_VERSIONS,
    refused,
)
from reconciler.sandbox.konnect_api.collection_names import ADDONS, PLAN_ADDONS
from reconciler.sandbox.konnect_api.endpoint import (
    endpoint,
    json,
    no_content,
    parse_body,
    path_id,
)
from reconciler.sandbox.konnect_api.errors import invalid, not_found, problem
from reconciler.sandbox.konnect_api.labels import check_labels, labels_for_read
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.plan_rules import Issue
from reconciler.sandbox.konnect_api.query import PAGED
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
from reconciler.sandbox.store import Document

PLAN_ID = "_plan_id"
Quantity = Annotated[int, Field(ge=1)]


class UpsertPlanAddon(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    from_plan_phase: ResourceKey
    max_quantity: Quantity | None = None


class CreatePlanAddon(UpsertPlanAddon):
    addon: Reference


def render(assignment: Document) -> Document:
    shown = public(assignment)
    shown["labels"] = labels_for_read(assignment)
    if not shown.get("validation_errors"):
        shown.pop("validation_errors", None)
    return shown


def _draft_plan(request: Request, sandbox: Sandbox) -> Document:
    plan = PLAN_VERSIONS.stored(request, sandbox)
    if plan.get("deleted_at"):
        raise not_found("plan")
    return plan


def _changeable_plan(request: Request, sandbox: Sandbox) -> Document:
    plan = _draft_plan(request, sandbox)
    if plan["status"] not in (DRAFT, "scheduled"):
        raise refused(
            f"invalid plan: add-ons change only on a draft plan, but it has {plan['status']} state"
        )
    return plan


def _issues(plan: Document, addon: Document, body: UpsertPlanAddon) -> list[Issue]:
    issues = []
    if body.from_plan_phase not in {phase["key"] for phase in plan["phases"]}:
        issues.append(
            Issue("plan_addon_unknown_plan_phase_key", "unknown plan phase key", "from_plan_phase")
        )
    multiple = addon["instance_type"] == "multiple"
    if multiple and body.max_quantity is None:
        issues.append(
            Issue(
                "plan_addon_max_quantity_must_be_set",
                "max quantity must be set for multi-instance add-on",
                "max_quantity",
            )
        )
    if not multiple and body.max_quantity is not None:
        issues.append(
            Issue(
                "plan_addon_max_quantity_must_not_be_set",
                "max quantity must not be set for single-instance add-on",
                "max_quantity",
            )
        )
    return issues


def _set(assignment: Document, plan: Document, addon: Document, body: UpsertPlanAddon) -> None:
    assignment.update(
        {
            "name": body.name,
            "labels": check_labels(body.labels),
            "from_plan_phase": body.from_plan_phase,
            "validation_errors": [i.present() for i in _issues(plan, addon, body)],
        }
    )
    set_optional(assignment, "description", body.description)
    set_optional(assignment, "max_quantity", body.max_quantity)


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreatePlanAddon)
    store = sandbox.store
    with store.transaction():
        plan = _changeable_plan(request, sandbox)
        addon = store.get(ADDONS, body.addon.id)
        if addon is None or addon.get("deleted_at"):
            raise not_found("add-on")
        if addon["status"] != ACTIVE:
            raise invalid("addon.id", f"add-on is {addon['status']}: only active add-ons")
        if addon["currency"] != plan["currency"]:
            raise invalid("addon.id", "add-on currency must match the plan's currency")
        taken = {"_plan_id": plan["id"], "addon.id": addon["id"], "deleted_at": None}
        if store.count(PLAN_ADDONS, taken):
            raise problem(409, "plan add-on assignment already exists")
        assignment = stamp_new(
            {"id": new_ulid(), PLAN_ID: plan["id"], "addon": {"id": addon["id"]}}
        )
        _set(assignment, plan, addon, body)
        store.put(PLAN_ADDONS, assignment["id"], assignment)
    return json(render(assignment), 201)


def _list(request: Request, sandbox: Sandbox) -> Response:
    plan = _draft_plan(request, sandbox)
    page = page_of(request, sandbox)
    where = {PLAN_ID: plan["id"], "deleted_at": None}
    found = sandbox.store.find(PLAN_ADDONS, where, offset=page.offset, limit=page.size)
    total = sandbox.store.count(PLAN_ADDONS, where)
    return json(page.envelope([render(a) for a in found], total))


def _stored(request: Request, sandbox: Sandbox, plan: Document) -> Document:
    assignment = sandbox.store.get(PLAN_ADDONS, path_id(request, "plan_addon_id", "plan add-on"))
    if assignment is None or assignment[PLAN_ID] != plan["id"] or assignment.get("deleted_at"):
        raise not_found("plan add-on")
    return assignment


def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(render(_stored(request, sandbox, _draft_plan(request, sandbox))))


def _update(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, UpsertPlanAddon)
    store = sandbox.store
    with store.transaction():
        plan = _changeable_plan(request, sandbox)
        assignment = _stored(request, sandbox, plan)
        addon = store.get(ADDONS, assignment["addon"]["id"]) or {"instance_type": "single"}
        _set(assignment, plan, addon, body)
        assignment["updated_at"] = rfc3339_now()
        store.put(PLAN_ADDONS, assignment["id"], assignment)
    return json(render(assignment))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        plan = _changeable_plan(request, sandbox)
        assignment = _stored(request, sandbox, plan)
        assignment["deleted_at"] = rfc3339_now()
        store.put(PLAN_ADDONS, assignment["id"], assignment)
    return no_content()


def publish_issues(sandbox: Sandbox, plan: Document) -> list[str]:
    """What the plan's add-ons hold against its publish."""
    where = {PLAN_ID: plan["id"], "deleted_at": None}
    return [
        f"incompatible add-on assignment [id={assignment['addon']['id']}]: {issue['message']}"
        for assignment in sandbox.store.find(PLAN_ADDONS, where)
        for issue in assignment.get("validation_errors") or []
    ]


def routes() -> list[BaseRoute]:
    item = "/plans/{plan_id}/addons/{plan_addon_id}"
    return [
        Route("/plans/{plan_id}/addons", endpoint(_list, PAGED), methods=["GET"]),
        Route("/plans/{plan_id}/addons", endpoint(_create), methods=["POST"]),
        Route(item, endpoint(_get), methods=["GET"]),
        Route(item, endpoint(_update), methods=["PUT"]),
        Route(item, endpoint(_delete), methods=["DELETE"]),
    ]
