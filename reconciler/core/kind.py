"""The per-kind resource protocol the planner depends on, and what a kind is handed: where
live state comes from (`Sources`), all that is known after reading (`World`) and what a write
needs (`Writer`). The values of single objects are in `core.live`.

The planner and the applier know nothing of particular kinds. Each kind module says how to
build the desired documents from the manifests, how to read the live objects in bulk, how to
turn a live object into a document comparable with the desired one, what cannot change in
place, which fields are secret, which Stripe facts must hold before an apply, what its live
objects refer to (so that a deletion waits for what moves off the deleted object, and is
refused while something that stays still uses it), and how to create, update and delete its
objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import ClassVar, TypeVar, cast

from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, Address
from reconciler.core.exporting import ExportContext
from reconciler.core.live import VOLATILE_FIELDS, Desired, Document, Live, OutOfBand, few
from reconciler.core.plan import Finding, MovedLink, Notice
from reconciler.core.secrets import SecretSource
from reconciler.core.shared_lists import SharedLists
from reconciler.core.stripe_facts import StripeAccounts
from reconciler.errors import ReconcileError
from reconciler.manifests import ManifestSet

T = TypeVar("T")
_UNKNOWN = object()  # no value derived yet (None may be one)


@dataclass(frozen=True)
class Sources:
    """Where live state comes from. Reads of independent kinds run concurrently."""

    konnect: KonnectClient
    stripe: StripeAccounts
    concurrency: int = 16
    # Set for one read of the live state (`sharing_lists`): a list read there by more than
    # one kind is fetched once. Outside it, every read asks Konnect.
    shared: SharedLists | None = None

    def sharing_lists(self) -> Sources:
        """These sources, for one read whose kinds share the lists they all read."""
        return replace(self, shared=SharedLists())

    def list_all(self, route: str) -> list[Document]:
        """Every item of a Konnect list, read once per read of the live state."""
        if self.shared is None:
            return self.konnect.list_all(route)
        return self.shared.list_all(self.konnect, route)


@dataclass(frozen=True)
class DesiredContext:
    manifests: ManifestSet
    secrets: SecretSource


@dataclass
class World:
    """Everything known after reading: desired and live per kind, and how they pair up."""

    manifests: ManifestSet
    desired: dict[str, list[Desired]] = field(default_factory=dict)
    live: dict[str, list[Live]] = field(default_factory=dict)
    stripe: StripeAccounts | None = None
    # False when kinds trusted what they labelled as applied (`plan --refresh=false`).
    refresh: bool = True
    # The live object bound to each address, by type then name. Indexes here are keyed by
    # strings, not addresses: a string keeps its hash, an address works it out anew at every
    # lookup (and a plan makes some ten per link), nor is a tuple kept for each key.
    _matches: dict[str, dict[str, Live]] = field(default_factory=dict)
    # By address type, then live id.
    _names: dict[str, dict[str, str]] = field(default_factory=dict)
    # The ids of the live objects bound to an address.
    _matched_ids: set[str] = field(default_factory=set)

    _keys: dict[str, dict[str, str]] = field(default_factory=dict)
    _desired_index: dict[str, dict[str, Desired]] | None = None
    # The kinds whose live objects' references count (`Resource.live_references`), and what
    # they refer to, worked out on the first question: few plans ever ask.
    _referring: list[Resource] = field(default_factory=list)
    _referenced: set[Address] | None = None
    # What kinds derive from the world (`derived`), by fact then key, forgotten whenever the
    # world changes.
    _derived: dict[str, dict[Hashable, object]] = field(default_factory=dict)
    _changes: int = 0
    _derived_lock: threading.Lock = field(default_factory=threading.Lock)

    def set_desired(self, address_type: str, objects: list[Desired]) -> None:
        self.desired[address_type] = objects
        self._desired_index = None
        self._changed()

    def set_live(self, address_type: str, objects: list[Live]) -> None:
        self.live[address_type] = objects
        self._keys.setdefault(address_type, {}).update((o.id, o.key) for o in objects)
        self._changed()

    def note_references(self, resource: Resource) -> None:
        """Count the kind's live references in `is_referenced` (once live and desired are
        paired, since references are by address)."""
        self._referring.append(resource)
        self._referenced = None

    def is_referenced(self, address: Address) -> bool:
        """Whether another live object (of a kind whose references were noted) refers to it."""
        if self._referenced is None:
            self._referenced = {
                reference
                for resource in self._referring
                for live in self.live.get(resource.address_type, [])
                for reference in resource.live_references(live, self)
            }
        return address in self._referenced

    def bind(self, address: Address, live: Live) -> None:
        self._matches.setdefault(address.type, {})[address.name] = live
        self._names.setdefault(address.type, {})[live.id] = address.name
        self._matched_ids.add(live.id)
        self._changed()

    def matched_ids(self) -> frozenset[str]:
        """The ids of the live objects bound to an address so far."""
        return frozenset(self._matched_ids)

    def derived(self, fact: str, key: Hashable, work_out: Callable[[], T]) -> T:
        """The `fact` about `key` that `work_out` derives from the world, worked out once while
        the world stays as it is (a binding or a kind's objects set anew forget it): what
        every one of thousands of objects asks, such as where a customer link is billed."""
        known = self._derived.get(fact, {}).get(key, _UNKNOWN)
        if known is not _UNKNOWN:
            return cast(T, known)
        changes = self._changes
        value = work_out()
        with self._derived_lock:
            if changes == self._changes:  # not worked out on a world since changed
                self._derived.setdefault(fact, {})[key] = value
        return value

    def _changed(self) -> None:
        with self._derived_lock:
            self._changes += 1
            self._derived.clear()

    def name_of(self, address_type: str, live_id: str | None) -> str | None:
        """The manifest name of a live object, so references compare by name, not by id."""
        if live_id is None:
            return None
        name = self._names.get(address_type, {}).get(live_id)
        if name is not None:
            return name
        key = self._keys.get(address_type, {}).get(live_id)
        if key is None:
            # No live object of the kind has the id: deleted, or of another kind of its API's
            # (an app that is not a Stripe app).
            return f"(not found: {live_id})"
        return f"(not managed: {key})"

    def address_of(self, address_type: str, live: Live) -> Address:
        """The address of a live object: its manifest's, else the one a deletion would use."""
        name = self._names.get(address_type, {}).get(live.id, live.key)
        return Address(type=address_type, name=name)

    def address_by_id(self, address_type: str, live_id: str | None) -> Address | None:
        """The address (see `address_of`) of the live object with this id; None if unread."""
        if live_id is None:
            return None
        name = self._names.get(address_type, {}).get(live_id)
        name = name or self._keys.get(address_type, {}).get(live_id)
        return None if name is None else Address(type=address_type, name=name)

    def desired_list(self, resource: Resource) -> list[Desired]:
        return self.desired.get(resource.address_type, [])

    def live_of(self, address: Address) -> Live | None:
        return self._matches.get(address.type, {}).get(address.name)

    def desired_of(self, address: Address) -> Desired | None:
        index = self._desired_index
        if index is None:
            index = {}
            for group in self.desired.values():
                for desired in group:
                    index.setdefault(desired.address.type, {})[desired.address.name] = desired
            self._desired_index = index
        return index.get(address.type, {}).get(address.name)


@dataclass
class Writer:
    """What a kind needs to write: the client, the secrets, and the live id behind each
    address, including the objects created earlier in the same apply."""

    konnect: KonnectClient
    secrets: SecretSource
    world: World
    _created: dict[Address, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def id_of(self, address: Address) -> str:
        with self._lock:
            created = self._created.get(address)
        if created is not None:
            return created
        live = self.world.live_of(address)
        if live is None:
            raise LookupError(f"{address} has no live object yet")
        return live.id

    def record_created(self, address: Address, live_id: str) -> None:
        with self._lock:
            self._created[address] = live_id


class Adoption(StrEnum):
    """What a declared resource may do with a matching live object reconcile does not own."""

    # Only when the manifest says so (annotation), or after `reconcile adopt`.
    EXPLICIT = "explicit"
    # Always: binding objects other systems created is what the kind is for.
    IMPLICIT = "implicit"
    # The kind has no ownership label (organization settings).
    NONE = "none"


class NotExportable(ReconcileError):
    """The kind has no manifest form of its own."""


class Resource:
    """Base of every kind module; subclasses set the class attributes and the methods."""

    address_type: ClassVar[str]
    # Kinds whose live objects this kind refers to; their reads feed `World.name_of`.
    refers_to: ClassVar[tuple[str, ...]] = ()
    deletable: ClassVar[bool] = True
    # Singletons (organization settings) are never "not managed": there is only one.
    reports_unmanaged: ClassVar[bool] = True
    sensitive: ClassVar[frozenset[str]] = frozenset()
    immutable: ClassVar[frozenset[str]] = frozenset()
    adoption: ClassVar[Adoption] = Adoption.EXPLICIT
    # What the plan says when a declared resource takes over an object it does not own.
    adoption_note: ClassVar[str] = (
        "adopts the existing object: adds the label managed-by: reconcile"
    )
    # What drift tells to do about a declared object gone from the live state; empty: the
    # generic advice (apply creates it again).
    missing_fix: ClassVar[str] = ""
    # True when Konnect refuses (409) a create whose key an object already has: then the
    # object is not looked up right before its create, since the refusal tells the same
    # (`creation.create_once` turns it into `CreatedSincePlan`).
    create_refused_when_present: ClassVar[bool] = False

    def desired(self, context: DesiredContext) -> list[Desired]:
        raise NotImplementedError

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        raise NotImplementedError

    def read_trusting_applied(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        """The read of `plan --refresh=false`: a kind that labels what it applied may trust
        the label instead of reading per-object state, so out-of-band edits behind an
        unchanged manifest go unseen. By default the full read."""
        return self.read(sources, desired)

    def live_document(self, live: Live, world: World) -> Document:
        raise NotImplementedError

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        """The desired document as it will be compared; fields the manifest leaves to the
        API keep their live value here."""
        return desired.document

    def display_name(self, live: Live) -> str:
        return live.key

    def implicit_adoption(self, desired: Desired, live: Live, world: World) -> str | None:
        """Why `desired` takes over `live`, which reconcile does not own, without being told
        to (no annotation, no `reconcile adopt`); None when it may not."""
        return self.adoption_note if self.adoption is Adoption.IMPLICIT else None

    def refine(self, action: Action, world: World) -> Action:
        """Kind-specific ordering and reasons (e.g. the default-profile switch)."""
        return action

    # --- references between live objects ---------------------------------------------------

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        """What the live object refers to now, in a way that keeps the referred object from
        being deleted; a change that drops such a reference must run before that deletion."""
        return frozenset()

    def referring_to(
        self, target: Address, target_live: Live, sources: Sources, world: World
    ) -> frozenset[Address]:
        """This kind's objects that refer to `target` (of a kind in `refers_to`) now.

        Asked only for objects the plan would delete, so a kind may read here what its bulk
        read left out, without a cost to plans that delete nothing.
        """
        return frozenset(
            world.address_of(self.address_type, live)
            for live in world.live.get(self.address_type, [])
            if target in self.live_references(live, world)
        )

    def in_use(self, action: Action, users: Sequence[Address]) -> str:
        """Why the object cannot be deleted while `users` (which the plan keeps referring to
        it) stay, and the way out."""
        return (
            f"{len(users)} resource(s) that this plan leaves referring to it still use it "
            f"({few(users)}); delete or move them in the same plan, or keep {action.address} "
            "in the manifests"
        )

    def deletions_refused(
        self, deleted: Sequence[Live], sources: Sources, world: World
    ) -> dict[str, str]:
        """Why the API would refuse to delete some of `deleted` (live objects the plan deletes
        or replaces), by live id; read on demand, so a plan that deletes nothing pays nothing."""
        return {}

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        """Start the Stripe reads the checks will need, alongside the Konnect reads (so only
        the manifests and the desired documents are in `world` yet)."""

    def findings(self, world: World) -> list[Finding]:
        """Warnings about the plan itself (things the API cannot do)."""
        return []

    def notices(self, world: World) -> list[Notice]:
        """What a reviewer should know about the kind's objects beyond their changes; may read
        the Stripe facts when `world.stripe` is set (checks not skipped)."""
        return []

    def moved_links(self, world: World, actions: Sequence[Action]) -> list[MovedLink]:
        """The kind's objects whose billing profile or collection method `actions` change,
        often without an action of their own (a customer link that follows the default)."""
        return []

    def out_of_band(self, world: World) -> list[OutOfBand]:
        """Drift the plan cannot undo, so shows as a warning and not as a change."""
        return []

    def changed_at(self, live: Live, paths: Sequence[str]) -> str | None:
        """When the fields at `paths` last changed, as far as the API tells; None when the
        object holding them has no timestamp of its own."""
        updated = live.raw.get("updated_at")
        return str(updated) if updated else None

    def stripe_checks(self, world: World) -> list[Finding]:
        """Facts Stripe must confirm before an apply; each blocks unless skipped."""
        return []

    def guards(self, world: World, stripe: StripeAccounts) -> list[Finding]:
        """What a write of this kind could only fail on half way, found before any write;
        each blocks, even with the Stripe checks skipped. Asked before the Stripe checks, which
        then leave alone what a guard set aside in `stripe`."""
        return []

    # --- writing ----------------------------------------------------------------------------

    def secret_references(self, desired: Desired, context: DesiredContext) -> dict[str, str]:
        """The secrets a write of `desired` sends, by field, as `${env:NAME}` references. Never
        stored: a saved plan keeps a fingerprint of each (`engine.planning.planned_secrets`)."""
        return {}

    def observe(self, live: Live) -> Document:
        """What must be unchanged for a planned write to go ahead (see `core.observation`)."""
        return {k: v for k, v in live.raw.items() if k not in VOLATILE_FIELDS}

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        """The object as it is now; None when it is gone."""
        raise NotImplementedError

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        """The live object that creating `desired` would make, if it already exists."""
        raise NotImplementedError

    def create(self, desired: Desired, writer: Writer) -> str:
        """Create the object; returns its id. Must not duplicate it when retried."""
        raise NotImplementedError

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        raise NotImplementedError

    def delete(self, live: Live, writer: Writer) -> None:
        raise NotImplementedError

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        """Add reconcile's label to the live object, written back as it is otherwise."""
        raise NotImplementedError

    # --- exporting --------------------------------------------------------------------------

    def read_for_export(self, sources: Sources) -> list[Live]:
        """Every live object with all an export needs; by default the bulk read."""
        return self.read(sources, ())

    def export(self, context: ExportContext) -> None:
        """Add a manifest document per live object to `context`, or say why one is skipped."""
        raise NotExportable(f"{self.address_type} has no manifest kind to export to")

    def replace(self, desired: Desired, live: Live, writer: Writer) -> str:
        """Create before destroy, so nothing that needs the object is ever without one."""
        new_id = self.create(desired, writer)
        self.delete(live, writer)
        return new_id
