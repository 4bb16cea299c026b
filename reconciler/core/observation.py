"""What an action observed: a digest of the live object its change was computed against, or
that the object was absent. Kinds record it while planning (`Action.observed`); a saved plan
is checked against it before the apply, and each write right before it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.actions import Action
from reconciler.core.fingerprint import digest_value

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
        return created_since_plan(action)
    if now == ABSENT:
        return f"{action.address} was deleted since the plan was made"
    return f"{action.address} was changed since the plan was made"


def created_since_plan(action: Action) -> str:
    return f"{action.address} was created by someone else since the plan was made"


class CreatedSincePlan(Exception):
    """A create found its object already there, and not by its own earlier attempt: the
    server refused the key (409) and a lookup found the object. Reported like a failed
    precondition, since the plan did not see that object."""
