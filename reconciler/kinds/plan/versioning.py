"""What a change to a versioned object (a plan, an add-on) does, as the plan says it: a
published version is immutable, so a change is a new version, published; a draft changes in
place; `archived` retires the active version."""

from __future__ import annotations

from reconciler.core.actions import Action, ActionType
from reconciler.core.live import Live
from reconciler.kinds.plan.versions import ACTIVE, DRAFT, PlanVersion


def versioned(action: Action, live: Live | None, *, archived: bool) -> Action:
    """How a change reaches a plan (or an add-on), said in the plan."""
    if not isinstance(live, PlanVersion):
        then = ", then archives it" if archived else ""
        return _with_reason(action, f"creates version 1 as a draft and publishes it{then}")
    if live.status == DRAFT:
        replaces = (
            f"; Konnect archives version {live.active_version} as it publishes"
            if live.active_version
            else ""
        )
        return _with_reason(
            action, f"changes draft version {live.version} in place and publishes it{replaces}"
        )
    if archived:
        return _with_reason(
            action,
            f"archives version {live.version}: it takes no new subscriptions; existing ones go on",
        )
    replaced = (
        f"; Konnect archives version {live.version} as it publishes"
        if live.status == ACTIVE
        else ""
    )
    return action.model_copy(
        update={
            "type": ActionType.REPLACE,
            "reasons": (
                *action.reasons,
                f"new version {live.latest_version + 1}: version {live.version} is "
                f"{live.status} and Konnect cannot change it, so apply creates version "
                f"{live.latest_version + 1} as a draft and publishes it{replaced}",
            ),
        }
    )


def _with_reason(action: Action, reason: str) -> Action:
    return action.model_copy(update={"reasons": (*action.reasons, reason)})
