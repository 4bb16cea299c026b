"""Moved links: the customers whose billing profile or collection method a plan changes,
often without an action of their own (a link that follows the default moves with it), and
where each link is billed once the plan is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.kind import World
from reconciler.core.live import Desired, Document, Live
from reconciler.core.plan import BilledThrough, Finding, MovedLink, Notice, Severity
from reconciler.kinds.billing_profile import (
    ADDRESS_TYPE as PROFILE,
)
from reconciler.kinds.billing_profile import (
    changes_app,
    collection_method,
    declared_default,
    payment_app_id,
)
from reconciler.kinds.customer_billing.live import (
    ADDRESS_TYPE,
    CustomerLink,
    Pinning,
    link_of,
    live_default,
    live_profile,
)
from reconciler.kinds.stripe_app import ADDRESS_TYPE as STRIPE_APP

# What `World.derived` holds for this module, by kind of fact (each keyed by a name, since a
# string keeps its hash and an address works it out at every lookup).
_DESTINATION = "customer link's destination"
_DECLARED_DESTINATION = "destination of a declared profile"
_MOVE = "customer link's move"


@dataclass(frozen=True)
class Destination:
    """The profile a link is billed through once the plan is applied."""

    profile: Address
    facts: Document  # the profile as the plan leaves it: `app` (manifest name), `workflow`
    live: Live | None  # the profile's live object, which a replacement swaps for a new one
    following: bool  # there as a follower of the default, not pinned
    replaced: bool = False


def destination(desired: Desired, world: World) -> Destination | None:
    # Asked for each link by the checks, the notices and the moves: worked out once a plan.
    return world.derived(_DESTINATION, desired.address.name, lambda: _destination(desired, world))


def _destination(desired: Desired, world: World) -> Destination | None:
    live = link_of(world.live_of(desired.address))
    named = _named_profile(desired)
    # Konnect pins a customer only together with its Stripe customer (a checkout's waits).
    linked = "stripe" in desired.document or bool(live and live.stripe.get("customer_id"))
    if named is not None and linked:
        return _declareddestination(Address(type=PROFILE, name=named), world, following=False)
    pinned = _pinned_profile(live, world)
    if pinned is not None:
        return _live_destination(pinned, world, following=False)
    default = declared_default(world)
    if default is not None:
        return _declareddestination(default, world, following=True)
    # No manifest names the default (the project leaves it unmanaged): Konnect's stays.
    current = live_default(world)
    return None if current is None else _live_destination(current, world, following=True)


def _live_destination(profile: Live, world: World, *, following: bool) -> Destination:
    address = world.address_of(PROFILE, profile)
    if world.desired_of(address) is not None:
        return _declareddestination(address, world, following=following)
    facts = {
        "app": world.name_of(STRIPE_APP, payment_app_id(profile.raw)),
        "workflow": profile.raw.get("workflow") or {},
    }
    return Destination(address, facts, profile, following=following)


def _declareddestination(profile: Address, world: World, *, following: bool) -> Destination:
    # The same for every link billed through the profile.
    return world.derived(
        _DECLARED_DESTINATION,
        (profile.name, following),
        lambda: _declared_profile_destination(profile, world, following=following),
    )


def _declared_profile_destination(
    profile: Address, world: World, *, following: bool
) -> Destination:
    desired = world.desired_of(profile)
    facts = desired.document if desired else {}
    live = world.live_of(profile)
    replaced = live is not None and changes_app(facts, live, world)
    return Destination(profile, facts, live, following=following, replaced=replaced)


def _named_profile(desired: Desired) -> str | None:
    """The profile the link's manifest names; None when it follows the default."""
    if "billing_profile" in desired.advisory:
        return None
    named: str | None = desired.document.get("billing_profile")
    return named


def _pinned_profile(live: CustomerLink | None, world: World) -> Live | None:
    """The live profile Konnect keeps the customer pinned to, which no change of default moves
    it off; None when it follows the default (as the plan takes one it cannot tell)."""
    if live is None or live.trusted:
        return None  # as applied: apply pins no link that follows the default
    effective = live.profile_id
    default = live_default(world)
    on_default = default is not None and effective == default.id
    pinned = live.pinning
    if pinned is Pinning.PINNED or (pinned is not Pinning.FOLLOWING and not on_default):
        return live_profile(world, effective)
    return None


def _billed_now(desired: Desired, live: CustomerLink, world: World) -> Live | None:
    """The live profile the customer is billed through today."""
    if live.trusted:
        # Unread (--refresh=false): as applied, pinned to the profile it names, or following.
        named = _named_profile(desired)
        if named is None:
            return live_default(world)
        return world.live_of(Address(type=PROFILE, name=named))
    return live_profile(world, live.profile_id)


@dataclass(frozen=True)
class _Move:
    before: BilledThrough
    billed: Destination
    stays: bool  # on the same profile, whose collection method or app changes


def _move_of(desired: Desired, world: World) -> _Move | None:
    # Asked for each link by the checks and the moved links: worked out once a plan.
    return world.derived(_MOVE, desired.address.name, lambda: _link_move(desired, world))


def _link_move(desired: Desired, world: World) -> _Move | None:
    live = link_of(world.live_of(desired.address))
    now = _billed_now(desired, live, world) if live is not None else None
    billed = destination(desired, world)
    if now is None or billed is None:
        return None  # a new link: it moves from nowhere
    method_now = collection_method(now.raw) or None
    stays = billed.live is not None and billed.live.id == now.id
    if stays and not billed.replaced and _billed_method(billed) == method_now:
        return None
    before = BilledThrough(
        billing_profile=str(world.name_of(PROFILE, now.id)), collection_method=method_now
    )
    return _Move(before, billed, stays)


def moves(desired: Desired, world: World) -> bool:
    """Whether the plan bills the link through another profile, collection method or app."""
    return _move_of(desired, world) is not None


def moved_link(
    desired: Desired, world: World, planned: Mapping[Address, Action]
) -> MovedLink | None:
    move = _move_of(desired, world)
    if move is None:
        return None
    before, billed, stays = move.before, move.billed, move.stays
    profile = before.billing_profile if stays else billed.profile.name
    after = BilledThrough(billing_profile=profile, collection_method=_billed_method(billed))
    cause, by = _move_cause(desired, billed, before, after, stays=stays)
    return MovedLink(
        address=desired.address,
        before=before,
        after=after,
        cause=cause + _move_notes(desired, before, after, planned.get(by)),
        concerns=frozenset() if by == desired.address else frozenset({billed.profile}),
    )


def _billed_method(billed: Destination) -> str | None:
    return collection_method(billed.facts) or None


def _move_notes(
    desired: Desired, before: BilledThrough, after: BilledThrough, cause: Action | None
) -> str:
    """What the reason for a move leaves unsaid: that it waits, or what stops being charged."""
    notes = ""
    if cause is not None and cause.type is ActionType.BLOCKED:
        notes += f"; {cause.address} is blocked, so it moves only once that is resolved"
    card = (desired.document.get("stripe") or {}).get("default_payment_method_id")
    if card and after.collection_method == "send_invoice" != before.collection_method:
        notes += f"; the card it names, {card}, is no longer charged: invoices are sent"
    return notes


def _move_cause(
    desired: Desired,
    destination: Destination,
    before: BilledThrough,
    after: BilledThrough,
    *,
    stays: bool,
) -> tuple[str, Address]:
    """Why the link moves, and whose planned action moves it."""
    profile = destination.profile
    if not stays:
        profiles = f"{before.billing_profile} -> {after.billing_profile}"
        if destination.following:
            return f"follows the default profile: {profiles}", profile
        return f"its manifest pins it: {profiles}", desired.address
    if destination.replaced:
        return f"{profile.name} is replaced, with another Stripe app", profile
    return f"{profile.name} changes its collection method", profile


def undeclared_followers(world: World, links: list[Desired]) -> list[Finding]:
    """What the plan can say of the customers no manifest declares when the default moves:
    their billing is not read (a GET each), so how many there are, not who moves."""
    old = live_default(world)
    new = declared_default(world)
    if old is None or new is None:
        return []
    destination = _declareddestination(new, world, following=True)
    old_method = collection_method(old.raw) or "unknown"
    new_method = collection_method(destination.facts) or "unknown"
    stays = destination.live is not None and destination.live.id == old.id
    if stays and not destination.replaced and old_method == new_method:
        return []
    declared = {live.id for d in links if (live := world.live_of(d.address))}
    others = sum(1 for live in world.live.get(ADDRESS_TYPE, []) if live.id not in declared)
    if not others:
        return []
    old_name = str(world.name_of(PROFILE, old.id))
    new_name = f"a new {new.name}" if destination.replaced else new.name
    return [
        Finding(
            address=destination.profile,
            severity=Severity.WARNING,
            message=f"{others} Konnect customer(s) are in no manifest, so their billing is not "
            f"read: those that follow the default profile move with it too, from {old_name} "
            f"({old_method}) to {new_name} ({new_method}), unchecked against Stripe",
            fix="declare them as CustomerBilling (`reconcile export` writes their manifests) "
            f"to have them listed and checked; one that must stay on {old_name} needs "
            f"spec.billing_profile: {old_name}",
        )
    ]


def following_unmanaged_default(world: World, links: list[Desired]) -> list[Notice]:
    """Which profile the links that name none are billed through, when the project leaves the
    default to someone else: no manifest says which it is."""
    if world.manifests.project.manages_default_profile:
        return []
    notices = []
    for desired in links:
        billed = destination(desired, world)
        if billed is None or not billed.following:
            continue
        managed = world.desired_of(billed.profile) is not None
        notices.append(
            Notice(
                address=desired.address,
                message=f"follows the organization's default billing profile, "
                f"{billed.profile.name}{'' if managed else ' (not managed)'}, which reconcile "
                "never switches (reconcile.yaml: default_profile: unmanaged)",
                concerns=frozenset({billed.profile}),
            )
        )
    return notices


def concerning(findings: list[Finding], destination: Destination | None) -> list[Finding]:
    """The findings, marked as holding for the profile the link would be billed through (a
    change of default moves a link that follows it)."""
    if destination is None:
        return findings
    profile = frozenset({destination.profile})
    return [f.model_copy(update={"concerns": f.concerns | profile}) for f in findings]
