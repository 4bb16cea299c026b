"""Compute a plan: desired documents vs live ones, kind by kind, through the resource protocol.

Nothing here knows a particular kind. The planner builds the desired documents, reads the
live state (all kinds concurrently), pairs desired and live objects by key, diffs their
normalised documents, adds the ownership rules (prune, not managed), notes what each change
stops referring to, asks each kind for its refinements, guards and Stripe checks, refuses
deletions of what stays in use, asks each kind which of its objects the changes move (a
customer link that follows the default profile) and what a reviewer should know besides
(notices), and orders the actions by their dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.fingerprint import digest_files, digest_value
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World
from reconciler.core.live import Desired, Live
from reconciler.core.observation import ABSENT, observation
from reconciler.core.plan import Finding, Plan, Severity
from reconciler.core.secrets import SecretSource
from reconciler.engine.planning.diff import diff_fields
from reconciler.engine.planning.graph import order_in_levels, releasing
from reconciler.engine.planning.heap import (
    collecting_nothing,
    spare_what_exists_now,
    sparing_what_exists,
)
from reconciler.engine.planning.reading import read_live_state
from reconciler.errors import ReconcileError
from reconciler.manifests import ManifestSet
from reconciler.manifests.common import ADOPT_ANNOTATION

PRUNE_REASON = "owned by reconcile (label managed-by: reconcile) and in no manifest"


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    stripe_checks: bool = True
    # Limit the plan to these resources and what they depend on; empty means everything.
    only: tuple[Address, ...] = ()
    # False: kinds trust the label of what they applied instead of reading per-object state
    # (`Resource.read_trusting_applied`); out-of-band edits behind it go unseen.
    refresh: bool = True


class UnknownResource(ReconcileError):
    """A resource filter names nothing in the manifests or the live state."""


def make_plan(
    manifests: ManifestSet,
    resources: Sequence[Resource],
    sources: Sources,
    secrets: SecretSource,
    options: PlanOptions,
) -> tuple[Plan, World]:
    # The manifests, loaded before, outlive the plan: no collection need walk them again.
    with sparing_what_exists():
        return _plan(manifests, resources, sources, secrets, options)


def _plan(
    manifests: ManifestSet,
    resources: Sequence[Resource],
    sources: Sources,
    secrets: SecretSource,
    options: PlanOptions,
) -> tuple[Plan, World]:
    stripe = sources.stripe if options.stripe_checks else None
    world = World(manifests=manifests, stripe=stripe, refresh=options.refresh)
    context = DesiredContext(manifests=manifests, secrets=secrets)
    for resource in resources:
        world.set_desired(resource.address_type, resource.desired(context))
    spare_what_exists_now()  # the desired documents
    with collecting_nothing():
        read_live_state(
            resources, sources, world, stripe_checks=options.stripe_checks, refresh=options.refresh
        )
    spare_what_exists_now()  # the live state
    for resource in resources:
        _match(resource, world)
    for resource in resources:
        world.note_references(resource)
    actions: list[Action] = []
    findings: list[Finding] = []
    not_managed: list[Address] = []
    for resource in resources:
        kind_actions, kind_findings, unmanaged = _plan_kind(resource, world, options.prune)
        actions += kind_actions
        findings += kind_findings
        not_managed += unmanaged
    by_type = {r.address_type: r for r in resources}
    actions = [_with_releases(by_type[a.address.type], a, world) for a in actions]
    actions = [by_type[a.address.type].refine(a, world) for a in actions]
    actions = _refuse_what_the_api_refuses(actions, resources, sources, world)
    actions = _refuse_deletions_in_use(actions, resources, sources, world)
    # Guards come first: the Stripe checks skip what a guard set aside, whose findings would
    # only be its consequences.
    for resource in resources:
        findings += resource.guards(world, sources.stripe)
    for resource in resources:
        findings += resource.findings(world)
        if options.stripe_checks:
            findings += resource.stripe_checks(world)
    notices = [notice for resource in resources for notice in resource.notices(world)]
    moved = [link for resource in resources for link in resource.moved_links(world, actions)]
    if options.only:
        keep = _with_dependencies(options.only, actions)
        actions = [a for a in actions if a.address in keep]
        findings = [f for f in findings if f.address in keep or f.concerns & keep]
        moved = [m for m in moved if m.address in keep or m.concerns & keep]
        notices = [n for n in notices if n.address in keep or n.concerns & keep]
        not_managed = []
    plan = Plan(
        actions=tuple(_in_order(actions)),
        findings=tuple(findings),
        moved_links=tuple(moved),
        notices=tuple(notices),
        not_managed=tuple(not_managed),
        prune=options.prune,
        only=options.only,
        refresh=options.refresh,
        stripe_checks=options.stripe_checks,
        prune_scope=tuple(r.address_type for r in resources if r.deletable),
        manifest_digest=digest_files(manifests.root, manifests.files),
        live_fingerprint=live_fingerprint(world),
    )
    return plan, world


def live_fingerprint(world: World) -> str:
    """A digest of everything read from Konnect, to tell later whether it changed."""
    return digest_value(
        {
            kind: sorted(([o.id, o.raw] for o in objects), key=lambda pair: str(pair[0]))
            for kind, objects in world.live.items()
        }
    )


def _match(resource: Resource, world: World) -> None:
    by_key: dict[str, Live] = {}
    for live in world.live[resource.address_type]:
        by_key.setdefault(live.key, live)
    for desired in world.desired[resource.address_type]:
        found = by_key.get(desired.key)
        if found is not None:
            world.bind(desired.address, found)


def _plan_kind(
    resource: Resource, world: World, prune: bool
) -> tuple[list[Action], list[Finding], list[Address]]:
    actions = [
        _desired_action(resource, desired, world) for desired in world.desired_list(resource)
    ]
    findings: list[Finding] = []
    not_managed: list[Address] = []
    matched = world.matched_ids()
    for live in world.live[resource.address_type]:
        if live.id in matched:
            continue
        address = Address(type=resource.address_type, name=resource.display_name(live))
        if not live.owned:
            if resource.reports_unmanaged:
                not_managed.append(address)
        elif prune and resource.deletable:
            world.bind(address, live)
            before = resource.live_document(live, world)
            actions.append(
                Action(
                    address=address,
                    type=ActionType.DELETE,
                    changes=diff_fields(before, {}, sensitive=resource.sensitive),
                    reasons=(PRUNE_REASON,),
                    observed=observation(resource.observe(live)),
                )
            )
        else:
            findings.append(_orphan(resource, address, prune))
    return actions, findings, not_managed


def _desired_action(resource: Resource, desired: Desired, world: World) -> Action:
    live = world.live_of(desired.address)
    if live is None:
        return Action(
            address=desired.address,
            type=ActionType.CREATE,
            changes=diff_fields({}, desired.document, sensitive=resource.sensitive),
            depends_on=desired.depends_on,
            observed=ABSENT,
        )
    before = resource.live_document(live, world)
    after = resource.comparable(desired, before)
    after = {k: before[k] if k in desired.advisory and k in before else v for k, v in after.items()}
    changes = diff_fields(before, after, sensitive=resource.sensitive, immutable=resource.immutable)
    if not changes:
        # Given only the fields that hold something: a model keeps a set of the names it was
        # given, which past four takes 728 bytes instead of 216, and most actions are these.
        return Action(address=desired.address, type=ActionType.NOOP, depends_on=desired.depends_on)
    replaced = any(change.forces_replacement for change in changes)
    action = Action(
        address=desired.address,
        type=ActionType.REPLACE if replaced else ActionType.UPDATE,
        changes=changes,
        depends_on=desired.depends_on,
        observed=observation(resource.observe(live)),
    )
    return _with_ownership(resource, desired, live, action, world)


def _with_ownership(
    resource: Resource, desired: Desired, live: Live, action: Action, world: World
) -> Action:
    """A live object reconcile did not create is changed only when it may be adopted."""
    if live.owned or resource.adoption is Adoption.NONE or not action.is_change:
        return action
    note = resource.implicit_adoption(desired, live, world)
    if note is None and desired.adopt:
        note = resource.adoption_note
    if note is not None:
        return action.model_copy(update={"reasons": (*action.reasons, note)})
    reason = (
        f"a live {desired.address.type} with key {desired.key!r} exists that reconcile did not "
        f"create (no label managed-by: reconcile); to manage it, run `reconcile adopt DIR "
        f'{desired.address}` or annotate the manifest with {ADOPT_ANNOTATION}: "true"; '
        "otherwise rename the manifest's object"
    )
    return action.model_copy(update={"type": ActionType.BLOCKED, "reasons": (reason,)})


def _with_releases(resource: Resource, action: Action, world: World) -> Action:
    """What the change stops referring to: a deletion of that waits for it. A deleted object
    lets go of everything; a changed one of what its manifest no longer names."""
    if not action.is_change:
        return action
    live = world.live_of(action.address)
    if live is None:
        return action
    released = resource.live_references(live, world)
    if action.type is not ActionType.DELETE:
        released -= action.depends_on
    if not released:
        return action
    return action.model_copy(update={"releases": action.releases | released})


def _refuse_what_the_api_refuses(
    actions: Sequence[Action], resources: Sequence[Resource], sources: Sources, world: World
) -> list[Action]:
    """Block each deletion (a replacement deletes too) the API would refuse for a reason of
    its own, such as invoices in flight; before the in-use fixpoint, which then keeps what a
    refused deletion still refers to."""
    refused: dict[Address, str] = {}
    deletions = [a for a in actions if a.type in (ActionType.DELETE, ActionType.REPLACE)]
    for resource in resources:
        deleting = {
            live.id: a.address
            for a in deletions
            if a.address.type == resource.address_type
            and (live := world.live_of(a.address)) is not None
        }
        if deleting:
            lives = [live for a in deleting.values() if (live := world.live_of(a)) is not None]
            reasons = resource.deletions_refused(lives, sources, world)
            refused |= {deleting[live_id]: reason for live_id, reason in reasons.items()}
    if not refused:
        return list(actions)
    return [
        a.model_copy(
            update={"type": ActionType.BLOCKED, "reasons": (*a.reasons, refused[a.address])}
        )
        if a.address in refused
        else a
        for a in actions
    ]


def _refuse_deletions_in_use(
    actions: Sequence[Action], resources: Sequence[Resource], sources: Sources, world: World
) -> list[Action]:
    """Block each deletion (a replacement deletes too) of an object that something the plan
    keeps still uses: the API would refuse it, or leave the user without what it refers to.

    A blocked deletion keeps what its object refers to in use, so blocking runs to a fixpoint
    (a profile that cannot go keeps its app).
    """
    by_type = {r.address_type: r for r in resources}
    users = {
        a.address: _users(a.address, resources, sources, world)
        for a in actions
        if a.type in (ActionType.DELETE, ActionType.REPLACE)
    }
    current = {a.address: a for a in actions}
    blocking = True
    while blocking:
        blocking = False
        for address, candidates in users.items():
            action = current[address]
            staying = [u for u in candidates if not _lets_go(current.get(u), address)]
            if action.is_change and staying:
                reason = by_type[address.type].in_use(action, staying)
                current[address] = action.model_copy(
                    update={"type": ActionType.BLOCKED, "reasons": (*action.reasons, reason)}
                )
                blocking = True
    return [current[a.address] for a in actions]


def _users(
    target: Address, resources: Sequence[Resource], sources: Sources, world: World
) -> list[Address]:
    live = world.live_of(target)
    if live is None:
        return []
    found = {
        user
        for resource in resources
        if target.type in resource.refers_to
        for user in resource.referring_to(target, live, sources, world)
    }
    return sorted(found, key=str)


def _lets_go(action: Action | None, target: Address) -> bool:
    """Whether the plan, done, leaves the user's object no longer referring to `target`."""
    if action is None or not action.is_change:
        return False
    return action.type is ActionType.DELETE or target in action.releases


def _orphan(resource: Resource, address: Address, prune: bool) -> Finding:
    if not resource.deletable:
        return Finding(
            address=address,
            severity=Severity.WARNING,
            message=f"{PRUNE_REASON}, but the API cannot delete it; it is left as an orphan",
        )
    return Finding(
        address=address,
        severity=Severity.WARNING,
        message=f"{PRUNE_REASON}; it is kept",
        fix="plan with --prune to delete it, or add it back to the manifests",
    )


def _with_dependencies(only: Iterable[Address], actions: Sequence[Action]) -> set[Address]:
    by_address = {a.address: a for a in actions}
    unknown = [a for a in only if a not in by_address]
    if unknown:
        names = ", ".join(str(a) for a in unknown)
        raise UnknownResource(f"no such resource in the manifests or the live state: {names}")
    keep: set[Address] = set()
    pending = list(only)
    while pending:
        address = pending.pop()
        if address not in keep:
            keep.add(address)
            pending += by_address[address].depends_on
            pending += releasing(by_address[address], actions)  # without them it would fail
    return keep


def _in_order(actions: Sequence[Action]) -> list[Action]:
    """Changes in the order they would be applied, then the resources left as they are."""
    ordered = [action for level in order_in_levels(actions) for action in level]
    return ordered + [a for a in actions if not a.is_change]
