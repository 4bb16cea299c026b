"""Order actions so that every action runs after what it depends on.

Creates and updates run after their dependencies; deletes run in reverse (a dependant is
removed before what it depends on) and after every change that stops referring to the deleted
object (`Action.releases`); so does a replacement, which deletes the object it replaces.
Actions whose dependencies are all done form one level, and the actions of a level may run in
parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler.core.actions import Action, ActionType, Address
from reconciler.errors import ReconcileError


class OrderingError(ReconcileError):
    """The actions cannot be ordered: a cycle, or a dependency on an unknown resource."""


def order_in_levels(actions: Sequence[Action]) -> list[list[Action]]:
    """Levels of actions, each level depending only on earlier levels; no-ops are left out."""
    by_address = {a.address: a for a in actions}
    return _levels(prerequisites(actions), by_address)


def prerequisites(actions: Sequence[Action]) -> dict[Address, set[Address]]:
    """For every change, the changes that must be done before it may start."""
    by_address = {a.address: a for a in actions}
    if len(by_address) != len(actions):
        raise OrderingError("two actions for the same resource")
    return {a.address: _must_come_after(a, by_address) for a in actions if a.is_change}


def _must_come_after(action: Action, by_address: dict[Address, Action]) -> set[Address]:
    before: set[Address] = set()
    for dependency in action.depends_on:
        other = by_address.get(dependency)
        if other is None:
            raise OrderingError(f"{action.address} depends on {dependency}, which is not planned")
        if action.type is not ActionType.DELETE and other.is_change:
            before.add(dependency)
    if action.type is ActionType.DELETE:
        # Reverse order: whatever depends on this resource and is deleted goes first.
        before |= {
            other.address
            for other in by_address.values()
            if other.type is ActionType.DELETE and action.address in other.depends_on
        }
    before |= set(releasing(action, by_address.values()))
    return before


def releasing(action: Action, actions: Iterable[Action]) -> list[Address]:
    """The changes a deletion (a replacement deletes too) waits for: those that stop referring
    to the object, which goes only once nothing refers to it any more."""
    if action.type not in (ActionType.DELETE, ActionType.REPLACE):
        return []
    return [
        other.address for other in actions if other.is_change and action.address in other.releases
    ]


def _levels(
    edges: dict[Address, set[Address]], by_address: dict[Address, Action]
) -> list[list[Action]]:
    remaining = {address: set(deps) & set(edges) for address, deps in edges.items()}
    levels: list[list[Action]] = []
    while remaining:
        ready = sorted((a for a, deps in remaining.items() if not deps), key=str)
        if not ready:
            raise OrderingError("dependency cycle between " + _names(remaining))
        levels.append([by_address[a] for a in ready])
        for address in ready:
            del remaining[address]
        for deps in remaining.values():
            deps.difference_update(ready)
    return levels


def _names(addresses: Iterable[Address]) -> str:
    return ", ".join(sorted(str(a) for a in addresses))
