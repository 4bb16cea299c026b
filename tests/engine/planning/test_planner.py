"""The planner over an in-memory kind: it knows only the resource protocol."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reconciler.core.actions import ActionType, Address
from reconciler.core.kind import DesiredContext, Resource, Sources, World
from reconciler.core.live import Desired, Document, Live
from reconciler.core.secrets import SecretSource
from reconciler.engine.planning.planner import PlanOptions, UnknownResource, make_plan
from reconciler.manifests import ManifestSet, Project


class Widgets(Resource):
    """A kind whose desired and live objects are given in the constructor."""

    address_type = "widget"
    # A widget may use another one, named in its `uses` field.
    refers_to: ClassVar[tuple[str, ...]] = ("widget",)
    immutable: ClassVar[frozenset[str]] = frozenset({"size"})
    sensitive: ClassVar[frozenset[str]] = frozenset({"secret"})

    def __init__(self, desired: dict[str, Document], live: list[Live]) -> None:
        self._desired = desired
        self._live = live

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(
                address=widget(name),
                key=name,
                document=document,
                depends_on=frozenset({widget(document["uses"])} if "uses" in document else ()),
            )
            for name, document in self._desired.items()
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return self._live

    def live_document(self, live: Live, world: World) -> Document:
        return live.raw

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        used = (
            world.address_by_id("widget", f"id-{live.raw['uses']}") if "uses" in live.raw else None
        )
        return frozenset() if used is None else frozenset({used})


def widget(name: str) -> Address:
    return Address(type="widget", name=name)


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


def changes_in_order(plan: Any) -> list[str]:
    return [a.address.name for a in plan.actions if a.is_change]


def test_a_change_releases_what_its_live_object_uses_and_its_manifest_no_longer_names() -> None:
    widgets = Widgets(
        desired={"main": {}, "mover": {"uses": "main"}, "stayer": {"uses": "main", "c": 2}},
        live=[live("main"), live("old"), live("mover", uses="old"), live("stayer", uses="main")],
    )
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    actions = by_name(plan)
    assert actions["mover"].type is ActionType.UPDATE
    assert actions["mover"].releases == {widget("old")}
    assert actions["stayer"].type is ActionType.UPDATE
    assert actions["stayer"].releases == frozenset()
    assert changes_in_order(plan) == ["mover", "stayer", "old"]


def test_a_deletion_releases_all_its_object_uses_and_goes_before_what_it_used() -> None:
    widgets = Widgets(desired={}, live=[live("a", uses="b"), live("b")])
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    assert by_name(plan)["a"].releases == {widget("b")}
    assert changes_in_order(plan) == ["a", "b"]


def test_a_replacement_goes_after_what_moves_off_it_and_before_what_it_leaves() -> None:
    widgets = Widgets(
        desired={"new": {}, "resized": {"size": 2, "uses": "new"}, "mover": {"uses": "new"}},
        live=[
            live("new"),
            live("old"),
            live("resized", size=1, uses="old"),
            live("mover", uses="resized"),
        ],
    )
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    actions = by_name(plan)
    assert actions["resized"].type is ActionType.REPLACE
    assert actions["resized"].releases == {widget("old")}
    assert actions["mover"].releases == {widget("resized")}
    assert changes_in_order(plan) == ["mover", "resized", "old"]


def test_a_resource_filter_on_a_deletion_keeps_what_moves_off_it() -> None:
    widgets = Widgets(
        desired={"main": {}, "mover": {"uses": "main"}, "other": {"c": 1}},
        live=[live("main"), live("old"), live("mover", uses="old"), live("other")],
    )
    plan = plan_for(widgets, prune=True, stripe_checks=False, only=(widget("old"),))
    assert changes_in_order(plan) == ["mover", "old"]


def test_deleting_what_a_kept_object_uses_is_blocked_and_so_is_what_that_uses() -> None:
    widgets = Widgets(
        desired={},
        live=[live("foreign", owned=False, uses="b"), live("b", uses="a"), live("a")],
    )
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    actions = by_name(plan)
    assert actions["b"].type is ActionType.BLOCKED
    assert (
        "1 resource(s) that this plan leaves referring to it still use it (foreign)"
        in (actions["b"].reasons[-1])
    )
    assert actions["a"].type is ActionType.BLOCKED
    assert "(b)" in actions["a"].reasons[-1]
    assert plan.summary.destroy == 0


class WidgetsWithUnreadUsers(Widgets):
    """Widgets some of whose users the bulk read does not show, as with pinned customers."""

    def __init__(self, desired: dict[str, Document], live: list[Live]) -> None:
        super().__init__(desired, live)
        self.asked: list[Address] = []

    def referring_to(
        self, target: Address, target_live: Live, sources: Sources, world: World
    ) -> frozenset[Address]:
        self.asked.append(target)
        return super().referring_to(target, target_live, sources, world) | {widget("unread")}


def test_the_users_of_an_object_are_asked_for_only_when_the_plan_would_delete_it() -> None:
    widgets = WidgetsWithUnreadUsers(
        desired={"kept": {"colour": "red"}}, live=[live("kept"), live("leftover")]
    )
    plan = plan_for(widgets, stripe_checks=False)
    assert by_name(plan)["kept"].type is ActionType.UPDATE
    assert widgets.asked == []
    plan = plan_for(widgets, prune=True, stripe_checks=False)
    leftover = by_name(plan)["leftover"]
    assert widgets.asked == [widget("leftover")]
    assert leftover.type is ActionType.BLOCKED
    assert "(unread)" in leftover.reasons[-1]


class Spares(Widgets):
    """Takes over unowned widgets on its own terms: only those no gizmo uses."""

    def implicit_adoption(self, desired: Desired, live: Live, world: World) -> str | None:
        used = world.is_referenced(world.address_of("widget", live))
        return None if used else "takes over an unused widget"


class Gizmos(Widgets):
    address_type = "gizmo"

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        used = world.address_by_id("widget", live.raw["widget"])
        return frozenset() if used is None else frozenset({used})


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
