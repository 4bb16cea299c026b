"""A plan's add-ons: read with the version they belong to, compared by add-on name, checked
at plan time and written on each new version before it is published (Konnect changes a
plan's add-ons on a draft only, and a new version starts without any)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Address
from reconciler.core.kind import World, Writer
from reconciler.core.live import Document, compact
from reconciler.kinds.plan.documents import Namer
from reconciler.kinds.plan.references import live_by_key, live_id
from reconciler.kinds.plan.versions import PlanVersion
from reconciler.manifests.plan import Plan

ADDON = "addon"


def with_addons(konnect: KonnectClient, plans: Sequence[PlanVersion]) -> list[PlanVersion]:
    """The plans with the add-ons of their compared version: one read per plan."""
    return [
        dataclasses.replace(
            plan,
            addons=tuple(konnect.list_all(routes.PLAN_ADDONS, path={"planId": plan.id})),
        )
        for plan in plans
    ]


def desired_addons(plan: Plan) -> Document | None:
    if not plan.spec.addons:
        return None
    return {
        addon.addon: compact(
            {"from_plan_phase": addon.from_plan_phase, "max_quantity": addon.max_quantity}
        )
        for addon in plan.spec.addons
    }


def live_addons(live: PlanVersion, name_of: Namer) -> Document | None:
    if not live.addons:
        return None
    return {
        str(name_of(ADDON, assignment["addon"]["id"])): compact(
            {
                "from_plan_phase": assignment["from_plan_phase"],
                "max_quantity": assignment.get("max_quantity"),
            }
        )
        for assignment in live.addons
    }


def addon_problems(plan: Plan, world: World) -> list[str]:
    problems = []
    for addon in plan.spec.addons or ():
        where = f"addons.{addon.addon}"
        desired = world.desired_of(Address(type=ADDON, name=addon.addon))
        if desired is not None:
            currency = desired.document["currency"]
        else:
            live = live_by_key(world, ADDON, addon.addon)
            if live is None:
                problems.append(
                    f"{where}: no Addon manifest has that name and Konnect has no add-on "
                    "with that key"
                )
                continue
            currency = live.raw["currency"]
        if currency != plan.spec.currency:
            problems.append(
                f"{where}: the add-on is priced in {currency}, the plan in "
                f"{plan.spec.currency}; Konnect refuses an add-on in another currency"
            )
    return problems


def write_addons(plan_id: str, desired: Document, writer: Writer) -> None:
    """Make the draft's add-ons the manifest's: drop those it has, add the declared ones."""
    path = {"planId": plan_id}
    for assignment in writer.konnect.list_all(routes.PLAN_ADDONS, path=path):
        writer.konnect.delete(routes.PLAN_ADDON, path={**path, "planAddonId": assignment["id"]})
    for name, addon in (desired.get("addons") or {}).items():
        body = {"name": name, "addon": {"id": live_id(writer, ADDON, name)}, **addon}
        writer.konnect.post(routes.PLAN_ADDONS, body, path=path)
