"""The world a plan is made in: its indexes, and the facts kinds derive from it once."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.live import Desired, Live
from reconciler.manifests import ManifestSet, Project


def world() -> World:
    return World(manifests=ManifestSet(Path(), Project(), (), ()))


def widget(name: str) -> Address:
    return Address(type="widget", name=name)


def test_live_and_desired_objects_are_found_by_an_equal_address() -> None:
    made = world()
    made.set_desired("widget", [Desired(address=widget("a"), key="a", document={})])
    found = Live(id="id-a", key="a", owned=True, raw={})
    made.set_live("widget", [found])
    made.bind(widget("a"), found)
    assert made.live_of(widget("a")) is found
    assert made.desired_of(widget("a")) == Desired(address=widget("a"), key="a", document={})
    assert made.live_of(widget("b")) is None
    assert made.live_of(Address(type="gadget", name="a")) is None
    assert made.name_of("widget", "id-a") == "a"
    assert made.address_by_id("widget", "id-a") == widget("a")


def test_desired_objects_set_anew_are_found_and_the_old_ones_no_longer() -> None:
    made = world()
    made.set_desired("widget", [Desired(address=widget("a"), key="a", document={})])
    assert made.desired_of(widget("a")) is not None
    made.set_desired("widget", [Desired(address=widget("b"), key="b", document={})])
    assert made.desired_of(widget("a")) is None
    assert made.desired_of(widget("b")) is not None


def test_matched_ids_are_a_snapshot_of_those_bound_so_far() -> None:
    made = world()
    made.bind(widget("a"), Live(id="id-a", key="a", owned=True, raw={}))
    matched = made.matched_ids()
    made.bind(widget("b"), Live(id="id-b", key="b", owned=True, raw={}))
    assert matched == {"id-a"}
    assert made.matched_ids() == {"id-a", "id-b"}


def test_a_derived_fact_is_worked_out_once_even_when_it_is_none() -> None:
    made = world()
    asked: list[str] = []

    def work_out(name: str) -> None:
        asked.append(name)

    for _ in range(3):
        assert made.derived("fact", "a", lambda: work_out("a")) is None
    made.derived("fact", "b", lambda: work_out("b"))
    made.derived("another fact", "a", lambda: work_out("a again"))
    assert asked == ["a", "b", "a again"]


def test_a_derived_fact_is_forgotten_whenever_the_world_changes() -> None:
    made = world()
    counted = iter(range(100))

    def fact() -> int:
        return made.derived("count", "key", lambda: next(counted))

    assert (fact(), fact()) == (0, 0)
    made.set_live("widget", [])
    assert (fact(), fact()) == (1, 1)
    made.set_desired("widget", [])
    assert fact() == 2
    made.bind(widget("a"), Live(id="id-a", key="a", owned=True, raw={}))
    assert fact() == 3


def test_a_fact_worked_out_while_the_world_changed_is_not_kept() -> None:
    made = world()

    def changing_meanwhile() -> str:
        made.set_live("widget", [])
        return "stale"

    assert made.derived("fact", "key", changing_meanwhile) == "stale"
    assert made.derived("fact", "key", lambda: "fresh") == "fresh"
