"""The planner over an in-memory kind: it knows only the resource protocol."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reconciler.engine.actions import ActionType, Address
from reconciler.engine.planner import PlanOptions, UnknownResource, make_plan
from reconciler.manifests import ManifestSet, Project
from reconciler.resources.base import (
    Desired,
    DesiredContext,
    Document,
    Live,
    Resource,
    Sources,
    World,
)
from reconciler.resources.secrets import SecretSource


class Widgets(Resource):
    """A kind whose desired and live objects are given in the constructor."""

    address_type = "widget"
    immutable: ClassVar[frozenset[str]] = frozenset({"size"})
    sensitive: ClassVar[frozenset[str]] = frozenset({"secret"})

    def __init__(self, desired: dict[str, Document], live: list[Live]) -> None:
        self._desired = desired
        self._live = live

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(address=Address(type="widget", name=name), key=name, document=document)
            for name, document in self._desired.items()
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return self._live

    def live_document(self, live: Live, world: World) -> Document:
        return live.raw


def live(key: str, owned: bool = True, **raw: Any) -> Live:
    return Live(id=f"id-{key}", key=key, owned=owned, raw=raw)


def plan_for(widgets: Widgets, **options: Any) -> Any:
    manifests = ManifestSet(Path(), Project(), (), ())
    sources = Sources(konnect=None, stripe=None)  # type: ignore[arg-type]
    plan, _ = make_plan(
        manifests, [widgets], sources, SecretSource(environ={}), PlanOptions(**options)
    )
    return plan


def by_name(plan: Any) -> dict[str, Any]:
    return {action.address.name: action for action in plan.actions}


def test_each_action_type_from_desired_and_live() -> None:
    widgets = Widgets(
        desired={
            "new": {"size": 1},
            "same": {"size": 1},
            "changed": {"size": 1, "colour": "red"},
            "resized": {"size": 2},
            "rotated": {"size": 1, "secret": "b"},
        },
        live=[
            live("same", size=1),
            live("changed", size=1, colour="blue"),
            live("resized", size=1),
            live("rotated", size=1, secret="a"),
            live("leftover"),
            live("foreign", owned=False),
        ],
    )
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    actions = by_name(plan)
    assert {name: a.type for name, a in actions.items()} == {
        "new": ActionType.CREATE,
        "same": ActionType.NOOP,
        "changed": ActionType.UPDATE,
        "resized": ActionType.REPLACE,
        "rotated": ActionType.UPDATE,
        "leftover": ActionType.DELETE,
    }
    [secret] = actions["rotated"].changes
    assert (secret.sensitive, secret.before, secret.after) == (True, None, None)
    assert plan.not_managed == (Address(type="widget", name="foreign"),)
    assert plan.actions[-1].type is ActionType.NOOP


def test_without_prune_owned_leftovers_are_kept_with_a_warning() -> None:
    plan = plan_for(Widgets(desired={}, live=[live("leftover")]), stripe_checks=False)
    assert plan.is_noop
    [finding] = plan.findings
    assert "plan with --prune" in finding.fix


def test_resource_filter_must_name_something() -> None:
    widgets = Widgets(desired={"a": {}}, live=[])
    only = (Address(type="widget", name="zzz"),)
    with pytest.raises(UnknownResource, match=r"widget\.zzz"):
        plan_for(widgets, only=only, stripe_checks=False)
    plan = plan_for(widgets, only=(Address(type="widget", name="a"),), stripe_checks=False)
    assert [str(a.address) for a in plan.actions] == ["widget.a"]


class Spares(Widgets):
    """Takes over unowned widgets on its own terms: only those no gizmo uses."""

    def implicit_adoption(self, desired: Desired, live: Live, world: World) -> str | None:
        return None if world.in_use("widget", live.id) else "takes over an unused widget"


class Gizmos(Widgets):
    address_type = "gizmo"

    def uses(self, live: Live) -> frozenset[tuple[str, str]]:
        return frozenset({("widget", live.raw["widget"])})


def test_a_kind_decides_which_unowned_objects_it_takes_over_by_what_uses_them() -> None:
    spares = Spares(
        desired={"idle": {"colour": "red"}, "busy": {"colour": "red"}},
        live=[live("idle", owned=False, colour="blue"), live("busy", owned=False, colour="blue")],
    )
    gizmos = Gizmos(desired={}, live=[live("g", widget="id-busy")])
    manifests = ManifestSet(Path(), Project(), (), ())
    sources = Sources(konnect=None, stripe=None)  # type: ignore[arg-type]
    plan, _ = make_plan(
        manifests,
        [spares, gizmos],
        sources,
        SecretSource(environ={}),
        PlanOptions(stripe_checks=False),
    )
    actions = by_name(plan)
    assert actions["idle"].type is ActionType.UPDATE
    assert actions["idle"].reasons == ("takes over an unused widget",)
    assert actions["busy"].type is ActionType.BLOCKED
    assert "reconcile did not create" in actions["busy"].reasons[0]
