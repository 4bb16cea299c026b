"""Drift: what changed behind git's back, read off a plan and the world it was made from.

Nothing here knows a kind. A plan action on a declared resource says how live differs from
the manifest: a create means the object is missing, an update or replace that a field changed,
and a change to an object reconcile does not own means a same-named object was found that
apply would adopt. The blocking findings the kinds' Stripe checks return are Stripe drift.
Ignore rules from `reconcile.yaml` drop single fields; the report counts what they dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.engine.actions import Action, ActionType, Address, FieldChange
from reconciler.engine.plan import Finding, Plan, Severity
from reconciler.manifests.drift_rules import DriftSettings
from reconciler.resources.base import MANAGED_BY_KEY, Resource, World

DRIFT_FORMAT_VERSION = 1
MISSING = "missing: deleted out of band or never applied"
UNMANAGED = (
    "a live object without the managed-by: reconcile label has the declared name or key; "
    "apply changes it only once it is adopted (customer links adopt their customer)"
)
OWNERSHIP_LABEL = f"labels.{MANAGED_BY_KEY}"
ADOPT = (
    "rename one of the two (in Konnect or in the manifest), or adopt the live object "
    "(`reconcile adopt`, or the reconcile.konghq.dev/adopt annotation) and run `reconcile apply`"
)
CREATE_AGAIN = "run `reconcile apply` to create it again, or remove it from the manifests"
RESTORE = (
    "run `reconcile apply` to restore the manifest's values, or change the manifest (or add "
    "an ignore rule to reconcile.yaml) to accept the live ones"
)


class DriftClass(StrEnum):
    CHANGED = "changed"
    DELETED = "deleted"
    UNMANAGED_MATCH = "unmanaged_match"
    STRIPE = "stripe"


@dataclass(frozen=True)
class DriftField:
    """One managed field whose live value differs; a sensitive one carries no values."""

    path: str
    manifest: Any = None
    live: Any = None
    sensitive: bool = False

    @classmethod
    def of(cls, change: FieldChange) -> DriftField:
        # A plan change goes from live (before) to the manifest (after).
        return cls(
            path=change.path, manifest=change.after, live=change.before, sensitive=change.sensitive
        )

    def to_json(self) -> dict[str, Any]:
        if self.sensitive:
            return {"path": self.path, "sensitive": True}
        return {"path": self.path, "manifest": self.manifest, "live": self.live, "sensitive": False}


@dataclass(frozen=True)
class DriftItem:
    address: Address
    drift_class: DriftClass
    message: str
    fields: tuple[DriftField, ...] = ()
    fix: str = ""
    # The live object's `updated_at`, when the API exposes one; Konnect names no author.
    changed_at: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "address": {"type": self.address.type, "name": self.address.name},
            "class": self.drift_class.value,
            "message": self.message,
            "fix": self.fix,
            "changed_at": self.changed_at,
            "fields": [field.to_json() for field in self.fields],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class DriftReport:
    items: tuple[DriftItem, ...]
    ignored_fields: int
    stripe_checks: bool
    not_managed: tuple[Address, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.items)

    @property
    def summary(self) -> dict[str, int]:
        return {
            drift_class.value: sum(1 for item in self.items if item.drift_class is drift_class)
            for drift_class in DriftClass
        }

    def summary_line(self) -> str:
        if not self.drifted:
            line = "No drift. Live state matches the manifests."
        else:
            counts = self.summary
            line = (
                f"Drift: {counts['changed']} changed, {counts['deleted']} deleted, "
                f"{counts['unmanaged_match']} unmanaged match, {counts['stripe']} Stripe."
            )
        if self.ignored_fields:
            line += f" {self.ignored_fields} ignored field(s)."
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": DRIFT_FORMAT_VERSION,
            "drifted": self.drifted,
            "summary": self.summary,
            "ignored_fields": self.ignored_fields,
            "stripe_checks": self.stripe_checks,
            "items": [item.to_json() for item in self.items],
            "not_managed": [str(address) for address in self.not_managed],
        }


def detect_drift(
    plan: Plan,
    world: World,
    resources: Sequence[Resource],
    rules: DriftSettings,
    *,
    stripe_checks: bool = True,
) -> DriftReport:
    """The drift a plan (made without prune or filters) shows, less what `rules` ignore."""
    by_type = {resource.address_type: resource for resource in resources}
    items: list[DriftItem] = []
    ignored = 0
    for action in plan.actions:
        item, dropped = _from_action(action, world, by_type[action.address.type], rules)
        ignored += dropped
        if item is not None:
            items.append(item)
    if stripe_checks:
        items += _stripe_items(plan, world, resources)
    return DriftReport(
        items=tuple(items),
        ignored_fields=ignored,
        stripe_checks=stripe_checks,
        not_managed=plan.not_managed,
    )


def _from_action(
    action: Action, world: World, resource: Resource, rules: DriftSettings
) -> tuple[DriftItem | None, int]:
    """The drift item of one action on a declared resource, and how many fields were ignored."""
    if action.type is ActionType.NOOP or world.desired_of(action.address) is None:
        return None, 0
    live = world.live_of(action.address)
    if live is None:
        item = DriftItem(
            address=action.address,
            drift_class=DriftClass.DELETED,
            message=MISSING,
            # A blocked create says in its reasons why apply cannot simply recreate it.
            fix="" if action.type is ActionType.BLOCKED else CREATE_AGAIN,
            notes=action.reasons,
        )
        return item, 0
    unmanaged = not live.owned and resource.reports_unmanaged
    changes = [c for c in action.changes if not (unmanaged and c.path == OWNERSHIP_LABEL)]
    kept = [c for c in changes if not rules.ignores(str(action.address), c.path)]
    ignored = len(changes) - len(kept)
    if not kept and not unmanaged:
        return None, ignored
    changed_at = live.raw.get("updated_at")
    item = DriftItem(
        address=action.address,
        drift_class=DriftClass.UNMANAGED_MATCH if unmanaged else DriftClass.CHANGED,
        message=UNMANAGED if unmanaged else "changed out of band",
        fields=tuple(DriftField.of(change) for change in kept),
        fix=ADOPT if unmanaged else RESTORE,
        changed_at=str(changed_at) if changed_at else None,
        notes=action.reasons,
    )
    return item, ignored


def _stripe_items(plan: Plan, world: World, resources: Sequence[Resource]) -> list[DriftItem]:
    """The plan's blocking findings that come from the Stripe checks, in the plan's order.

    The checks read memoised Stripe facts, so asking them again costs no request.
    """
    from_stripe: set[Finding] = {
        finding for resource in resources for finding in resource.stripe_checks(world)
    }
    return [
        DriftItem(
            address=finding.address,
            drift_class=DriftClass.STRIPE,
            message=finding.message,
            fix=finding.fix,
        )
        for finding in plan.findings
        if finding.severity is Severity.ERROR and finding in from_stripe
    ]
