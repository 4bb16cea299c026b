"""Is a saved plan still true? Compare what each action observed with the live state now.

A plan records, per action, a digest of the live object it was computed against (or that the
object was absent). Before applying, the caller re-reads those objects and asks here which
actions no longer hold; right before each write, the same check serves as the precondition.
Checking per object, not one global serial, means changes elsewhere do not refuse a plan.
No API is called here: the caller supplies the fresh reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.engine.actions import Action, Address
from reconciler.engine.fingerprint import digest_value
from reconciler.engine.plan import Plan

ABSENT = "absent"
LiveDocument = Mapping[str, Any] | None


def observation(document: LiveDocument) -> str:
    """What to record in `Action.observed` for a live object (None: it does not exist)."""
    return ABSENT if document is None else digest_value(document)


def check_observation(action: Action, document: LiveDocument) -> str | None:
    """Why `action` no longer holds given the object as it is now, or None if it still does."""
    if action.observed is None:
        return None
    now = observation(document)
    if now == action.observed:
        return None
    if action.observed == ABSENT:
        return f"{action.address} was created by someone else since the plan was made"
    if now == ABSENT:
        return f"{action.address} was deleted since the plan was made"
    return f"{action.address} was changed since the plan was made"


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


class StalePlan(Exception):
    """The plan no longer describes the world; nothing was written."""

    exit_code = 1

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
    `engine.planned_secrets`); they are no live object, but a plan is just as stale for them.
    """
    reasons: list[str] = []
    if plan.manifest_digest and plan.manifest_digest != manifest_digest:
        reasons.append("the manifests changed since the plan was made")
    reasons += [s.message for s in stale_actions(plan.actions, fresh)]
    reasons += changed_secrets
    if reasons:
        raise StalePlan(reasons)
