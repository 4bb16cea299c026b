"""Is a saved plan still true? Compare what each action observed with the live state now.

A plan records, per action, a digest of the live object it was computed against (or that the
object was absent). Before applying, the caller re-reads those objects and asks here which
actions no longer hold; right before each write, the same check serves as the precondition.
Checking per object, not one global serial, means changes elsewhere do not refuse a plan.

A saved plan that is not stale must still be the plan the manifests and the live state
produce: the caller plans again the way the saved plan was made, and `ensure_applicable`
compares the two action by action (address, type, field changes), so that a planfile edited
into something else is refused rather than executed.
No API is called here: the caller supplies the fresh reads and the plan made again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from reconciler.core.actions import Action, Address, FieldChange
from reconciler.core.observation import LiveDocument, check_observation
from reconciler.core.plan import Plan
from reconciler.errors import ReconcileError


@dataclass(frozen=True)
class StaleAction:
    address: Address
    message: str


def stale_actions(
    actions: Sequence[Action], fresh: Mapping[Address, LiveDocument]
) -> list[StaleAction]:
    """Every change whose object changed; `fresh` maps each address to its object now."""
    stale: list[StaleAction] = []
    for action in actions:
        if action.observed is None or not action.is_change:
            continue
        if action.address not in fresh:
            raise ValueError(f"{action.address} was not re-read; every observed action must be")
        message = check_observation(action, fresh[action.address])
        if message is not None:
            stale.append(StaleAction(action.address, message))
    return stale


class StalePlan(ReconcileError):
    """The plan no longer describes the world; nothing was written."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        lines = "\n".join(f"  - {reason}" for reason in self.reasons)
        super().__init__(
            "the saved plan is stale, so nothing was applied:\n"
            f"{lines}\nRun `reconcile plan` again and apply the new plan."
        )


def ensure_fresh(
    plan: Plan,
    *,
    manifest_digest: str,
    fresh: Mapping[Address, LiveDocument],
    changed_secrets: Sequence[str] = (),
) -> None:
    """Raise StalePlan naming every reason the plan cannot be applied as it is.

    `changed_secrets` says which secrets the plan would write are not the ones planned (see
    `planning.planned_secrets`); they are no live object, but a plan is just as stale for them.
    """
    reasons: list[str] = []
    if plan.manifest_digest and plan.manifest_digest != manifest_digest:
        reasons.append("the manifests changed since the plan was made")
    reasons += [s.message for s in stale_actions(plan.actions, fresh)]
    reasons += changed_secrets
    if reasons:
        raise StalePlan(reasons)


class PlanDiffers(ReconcileError):
    """The saved actions are not those the manifests and live state produce; nothing was
    written."""

    def __init__(self, difference: str) -> None:
        self.difference = difference
        super().__init__(
            "the saved plan differs from what the manifests and live state produce now, so "
            f"nothing was applied: {difference}\nRun `reconcile plan` again, review it and apply "
            "the new plan."
        )


def ensure_applicable(
    saved: Plan,
    now: Plan,
    *,
    reread: Mapping[Address, LiveDocument],
    changed_secrets: Sequence[str] = (),
) -> None:
    """Raise StalePlan or PlanDiffers unless the saved plan is the one made `now`, the same
    way, from unchanged manifests, objects (`reread`: each saved change's object as it is
    now, see `ensure_fresh`) and secrets.

    The first reason given is the one that explains the rest: changed manifests (with every
    other stale reason); then a saved action on an object the plan made now has no action
    for, which may name an object that never existed and must not read as one deleted since;
    then the objects and secrets that changed; then the first action that differs.
    """
    if saved.manifest_digest == now.manifest_digest:
        _ensure_planned_now(saved.actions, now.actions)
    ensure_fresh(
        saved,
        manifest_digest=now.manifest_digest,
        fresh=reread,
        changed_secrets=changed_secrets,
    )
    difference = first_difference(saved.actions, now.actions)
    if difference is not None:
        raise PlanDiffers(difference)


def _ensure_planned_now(saved: Sequence[Action], now: Sequence[Action]) -> None:
    planned_now = {action.address for action in now}
    for action in saved:
        if action.address not in planned_now:
            raise PlanDiffers(_not_planned_now(action))


def first_difference(saved: Sequence[Action], now: Sequence[Action]) -> str | None:
    """`billing_profile.x: saved delete, now update`, or None when both say the same.

    Compared per address: the type and the field changes. Not the order, reasons or
    dependencies: apply runs the actions planned now, in their own order, once they are
    shown to be the saved ones.
    """
    planned_now = {action.address: action for action in now}
    seen: set[Address] = set()
    for action in saved:
        if action.address in seen:
            return f"{action.address}: saved twice"
        seen.add(action.address)
        difference = _action_difference(action, planned_now.get(action.address))
        if difference is not None:
            return difference
    for action in now:
        if action.address not in seen:
            return f"{action.address}: not in the saved plan, now {action.type}"
    return None


def _action_difference(saved: Action, now: Action | None) -> str | None:
    if now is None:
        return _not_planned_now(saved)
    if saved.type is not now.type:
        return f"{saved.address}: saved {saved.type}, now {now.type}"
    path = _first_changed_field(saved.changes, now.changes)
    if path is not None:
        return f"{saved.address}: saved {saved.type} with other field changes than now, at {path}"
    return None


def _not_planned_now(saved: Action) -> str:
    return f"{saved.address}: saved {saved.type}, now not in the plan"


def _first_changed_field(saved: Sequence[FieldChange], now: Sequence[FieldChange]) -> str | None:
    # Both come from the diff in path order.
    for saved_change, now_change in zip_longest(saved, now):
        if saved_change is None:
            return str(now_change.path)
        if now_change is None or _written(saved_change) != _written(now_change):
            return str(saved_change.path)
    return None


def _written(change: FieldChange) -> object:
    """What apply would do to the field, as JSON (as the saved change was read). Not `before`:
    the object itself is pinned by its observation, and `before` may name other objects (a
    default tax code by its key), whose changes elsewhere must not refuse a plan."""
    return change.model_dump(mode="json", exclude={"before"})
