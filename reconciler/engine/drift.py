"""Drift: what changed behind git's back, read off a plan and the world it was made from.

Nothing here knows a kind. A plan action on a declared resource says how live differs from
the manifest: a create means the object is missing, an update or replace that a field changed,
and a change to an object reconcile does not own means a same-named object was found that
apply would adopt. What the kinds report as out of band (differences apply cannot undo, which
the plan only warns of) is drift too, each with its own fix. The blocking findings the kinds'
Stripe checks and guards return are Stripe drift. Ignore rules from `reconcile.yaml` drop
single fields; the report counts what they dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from reconciler.core.actions import Action, ActionType, Address, FieldChange
from reconciler.core.kind import Adoption, Resource, World
from reconciler.core.live import MANAGED_BY_KEY, OutOfBand
from reconciler.core.plan import Finding, Plan, Severity
from reconciler.manifests.drift_rules import DriftSettings

# 2: addresses are `TYPE.NAME` strings, an absent fix is null, fields read live -> manifest.
DRIFT_FORMAT_VERSION = 2
MISSING = "missing: deleted out of band or never applied"
UNMANAGED = (
    "a live object without the managed-by: reconcile label has the declared name or key; "
    "apply changes it only once it is adopted"
)
ADOPTED_BY_APPLY = (
    "a live object without the managed-by: reconcile label has the declared name or key; "
    "the next apply adopts it (adds the label) and sets the manifest's values"
)
OWNERSHIP_LABEL = f"labels.{MANAGED_BY_KEY}"
ADOPT = (
    "rename one of the two (in Konnect or in the manifest), or adopt the live object "
    "(`reconcile adopt`, or the reconcile.konghq.dev/adopt annotation) and run `reconcile apply`"
)
ADOPT_BY_APPLY = (
    "run `reconcile apply` to adopt it, or change the manifest (its key, or the values shown) "
    "if it should not take this object over"
)
CREATE_AGAIN = "run `reconcile apply` to create it again, or remove it from the manifests"
RESTORE = (
    "run `reconcile apply` to restore the manifest's values, or change the manifest (or add "
    "an ignore rule to reconcile.yaml) to accept the live ones"
)
REPLACE = (
    "run `reconcile apply` to replace it as the note says (a field that cannot change in place "
    "differs), or change the manifest to accept the live value"
)
BLOCKED = "apply cannot restore it as it stands: the note says why and what to do instead"
GUARDED = (
    "apply cannot restore it as it stands: the Stripe item of the same resource says why and "
    "what to do instead"
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


@dataclass(frozen=True)
class DriftItem:
    address: Address
    drift_class: DriftClass
    message: str
    fields: tuple[DriftField, ...] = ()
    fix: str = ""
    # When the changed object last changed (`updated_at`), where the API tells; Konnect
    # records no author, so an item names none.
    changed_at: str | None = None
    notes: tuple[str, ...] = ()


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
    guarded = {finding.address for finding in _guard_findings(world, resources)}
    for action in plan.actions:
        item, dropped = _from_action(action, world, by_type[action.address.type], rules)
        ignored += dropped
        if item is not None:
            items.append(_unless_guarded(item, guarded))
    for resource in resources:
        for out_of_band in resource.out_of_band(world):
            if rules.ignores(str(out_of_band.address), out_of_band.path):
                ignored += 1
            else:
                items.append(_from_out_of_band(out_of_band))
    if stripe_checks:
        items += _stripe_items(plan, world, resources)
    return DriftReport(
        items=tuple(items),
        ignored_fields=ignored,
        stripe_checks=stripe_checks,
        not_managed=plan.not_managed,
    )


def _guard_findings(world: World, resources: Sequence[Resource]) -> set[Finding]:
    """What the guards found (see `Resource.guards`); nothing when Stripe was not read."""
    if world.stripe is None:
        return set()
    return {finding for resource in resources for finding in resource.guards(world, world.stripe)}


def _unless_guarded(item: DriftItem, guarded: set[Address]) -> DriftItem:
    """A guard refuses any write of its resource, so apply cannot restore what changed."""
    if item.drift_class is not DriftClass.CHANGED or item.address not in guarded:
        return item
    return replace(item, fix=GUARDED)


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
            fix="" if action.type is ActionType.BLOCKED else resource.missing_fix or CREATE_AGAIN,
            notes=action.reasons,
        )
        return item, 0
    unmanaged = not live.owned and resource.reports_unmanaged
    changes = [c for c in action.changes if not (unmanaged and _is_ownership_label(c.path))]
    kept = [c for c in changes if not rules.ignores(str(action.address), c.path)]
    ignored = len(changes) - len(kept)
    if not kept and not unmanaged:
        return None, ignored
    if unmanaged:
        drift_class = DriftClass.UNMANAGED_MATCH
        message, fix = _unmanaged_advice(action, resource, world)
    else:
        drift_class, message, fix = DriftClass.CHANGED, "changed out of band", _restore(action)
    item = DriftItem(
        address=action.address,
        drift_class=drift_class,
        message=message,
        fields=tuple(DriftField.of(change) for change in kept),
        fix=fix,
        changed_at=resource.changed_at(live, [change.path for change in kept]),
        notes=action.reasons,
    )
    return item, ignored


def _is_ownership_label(path: str) -> bool:
    # Labels may sit below the top level (a customer link's are the customer's).
    return path == OWNERSHIP_LABEL or path.endswith(f".{OWNERSHIP_LABEL}")


def _unmanaged_advice(action: Action, resource: Resource, world: World) -> tuple[str, str]:
    """What an unmanaged look-alike means, and what to do: adopted by the next apply when
    the kind or the manifest says so, blocked otherwise."""
    desired = world.desired_of(action.address)
    adopted = resource.adoption is Adoption.IMPLICIT or (desired is not None and desired.adopt)
    if adopted and action.type is not ActionType.BLOCKED:
        return ADOPTED_BY_APPLY, ADOPT_BY_APPLY
    return UNMANAGED, ADOPT


def _restore(action: Action) -> str:
    if action.type is ActionType.REPLACE:
        return REPLACE
    if action.type is ActionType.BLOCKED:
        return BLOCKED
    return RESTORE


def _from_out_of_band(out_of_band: OutOfBand) -> DriftItem:
    # The API has no way back to the manifest's value, so the fix is the kind's own.
    return DriftItem(
        address=out_of_band.address,
        drift_class=DriftClass.CHANGED,
        message=out_of_band.message,
        fields=(DriftField(out_of_band.path, out_of_band.manifest, out_of_band.live),),
        fix=out_of_band.fix,
    )


def _stripe_items(plan: Plan, world: World, resources: Sequence[Resource]) -> list[DriftItem]:
    """The plan's blocking findings that come from the Stripe checks or the guards (a key of
    another Stripe account than its app's), in the plan's order.

    Both read memoised Stripe facts, so asking them again costs no request.
    """
    from_stripe: set[Finding] = {
        finding for resource in resources for finding in resource.stripe_checks(world)
    }
    from_stripe |= _guard_findings(world, resources)
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
