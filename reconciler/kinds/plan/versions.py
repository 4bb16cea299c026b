"""A plan's (or an add-on's) versions as read: the one a manifest is compared with, and
what surrounds it.

Konnect lists every version of a plan as a plan of its own (same key, its own id). The
manifest is compared with the version that decides what happens next: a draft (the next
version, not yet published), else the active version, else the newest archived one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.core.live import Document, Live, is_owned

DRAFT, ACTIVE, ARCHIVED = "draft", "active", "archived"
_PREFERENCE = {DRAFT: 0, ACTIVE: 1, "scheduled": 1, ARCHIVED: 2}


@dataclass(frozen=True)
class PlanVersion(Live):
    """The compared version of a plan; `active_version` is the one in effect, if any;
    `addons` are the plan add-ons of the compared version, where read."""

    version: int = 1
    status: str = DRAFT
    active_version: int | None = None
    latest_version: int = 1
    addons: tuple[Document, ...] = ()

    @classmethod
    def chosen(cls, versions: list[Document], *, labelled: bool = False) -> PlanVersion:
        """The version to compare; `labelled`: the API renders labels (add-ons do)."""
        live = [v for v in versions if not v.get("deleted_at")]
        pick = min(live, key=lambda v: (_PREFERENCE.get(v["status"], 3), -v["version"]))
        active = [v["version"] for v in live if v["status"] == ACTIVE]
        return cls(
            id=pick["id"],
            key=pick["key"],
            # Konnect renders no labels on plans: ownership cannot be read there.
            owned=labelled and is_owned(pick.get("labels")),
            raw=pick,
            version=pick["version"],
            status=pick["status"],
            active_version=active[0] if active else None,
            latest_version=max(v["version"] for v in versions),
        )


def plans_by_key(listed: Iterable[Document], *, labelled: bool = False) -> list[PlanVersion]:
    """One compared version per key that has a version not deleted."""
    grouped: dict[str, list[Document]] = {}
    for plan in listed:
        grouped.setdefault(plan["key"], []).append(plan)
    return [
        PlanVersion.chosen(versions, labelled=labelled)
        for versions in grouped.values()
        if any(not v.get("deleted_at") for v in versions)
    ]
