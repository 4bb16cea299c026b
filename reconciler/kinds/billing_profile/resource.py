"""BillingProfile: supplier and workflow, matched by display name, its app by manifest name.

Konnect fills in every workflow default and re-renders durations, so the desired document
carries the same defaults and both sides use one duration spelling: a profile created from
the manifest plans clean. The app cannot change in place (replace). The default moves by
setting `default: true` on the new default, which demotes the old one in the same call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext
from reconciler.core.kind import DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import (
    Desired,
    Document,
    Live,
    compact,
    fetch_live,
    few,
    owned_labels,
    user_labels,
)
from reconciler.core.plan import Finding, Severity
from reconciler.core.stripe_facts import StripeAccounts, StripeUnavailable
from reconciler.kinds.billing_profile.defaults import (
    PRORATION,
    with_canonical_durations,
    workflow_with_defaults,
)
from reconciler.kinds.billing_profile.export import export_profiles
from reconciler.kinds.billing_profile.live import ADDRESS_TYPE, app_id, supplier
from reconciler.kinds.creation import create_once
from reconciler.kinds.open_invoices import UNTIL_FINAL, blocking_invoices, named
from reconciler.kinds.stripe_app import ADDRESS_TYPE as STRIPE_APP
from reconciler.manifests import BillingProfile
from reconciler.manifests.advice import LATE_USAGE_RISK, is_zero_duration


class BillingProfileResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (STRIPE_APP,)
    immutable = frozenset({"app"})

    def desired(self, context: DesiredContext) -> list[Desired]:
        # A project that leaves the default to someone else never writes it: a new profile
        # is created as no default, and a live one keeps whatever it is.
        managed = context.manifests.project.manages_default_profile
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=profile.name),
                key=profile.konnect_name,
                document=_desired_document(profile),
                depends_on=frozenset({Address(type=STRIPE_APP, name=profile.spec.app)}),
                advisory=frozenset() if managed else frozenset({"default"}),
                adopt=profile.metadata.adopt,
            )
            for profile in context.manifests.of_kind(BillingProfile)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        # Shared with the customer links, which look up the default's id in the same list.
        return [Live.of(profile, "name") for profile in sources.list_all(routes.PROFILES)]

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        taxed = [d for d in world.desired_list(self) if tax_enabled(d.document)]
        for app in {d.document["app"] for d in taxed}:
            facts = stripe.of(app)
            if facts is not None:
                facts.tax_settings()

    def live_document(self, live: Live, world: World) -> Document:
        raw = live.raw
        return compact(
            {
                "name": raw.get("name"),
                "description": raw.get("description"),
                "labels": user_labels(raw.get("labels")),
                "default": bool(raw.get("default")),
                "app": world.name_of(STRIPE_APP, app_id(raw)),
                "supplier": supplier(raw),
                "workflow": with_canonical_durations(raw.get("workflow") or {}),
            }
        )

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        document = desired.document
        if "default" in desired.advisory and "default" in live_document:
            document = {**document, "default": live_document["default"]}  # written as it is
        # An omitted proration mode keeps its stored value on update: not ours to compare.
        workflow = document["workflow"]
        if PRORATION in workflow["invoicing"]:
            return document
        live_mode = live_document.get("workflow", {}).get("invoicing", {}).get(PRORATION)
        invoicing = {**workflow["invoicing"], PRORATION: live_mode}
        return {**document, "workflow": {**workflow, "invoicing": compact(invoicing)}}

    def refine(self, action: Action, world: World) -> Action:
        if action.type is ActionType.DELETE:
            return _deletion(action, world)
        if _loses_default(action):
            return _demotion(action, world)
        if _gains_default(action):
            action = _promotion(action, world)
        if action.type is ActionType.REPLACE:
            return _replacement(action, world)
        return action

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        app = world.address_by_id(STRIPE_APP, app_id(live.raw))
        return frozenset() if app is None else frozenset({app})

    def in_use(self, action: Action, users: Sequence[Address]) -> str:
        deleted = "the old profile" if action.type is ActionType.REPLACE else "it"
        return (
            f"{len(users)} customer(s) are pinned to {deleted} and this plan does not move "
            f"them off it ({few(users)}); Konnect refuses to delete a profile customers are "
            "pinned to. Set their spec.billing_profile to another profile in the manifests (a "
            "link left on the default stays pinned: v3 cannot unpin), or keep this profile"
        )

    def findings(self, world: World) -> list[Finding]:
        # `validate` warns too, but a plan is what CI shows a reviewer.
        return [
            Finding(
                address=desired.address,
                severity=Severity.WARNING,
                message=f"workflow.collection.interval {interval}: {LATE_USAGE_RISK}",
            )
            for desired in world.desired_list(self)
            if is_zero_duration(interval := desired.document["workflow"]["collection"]["interval"])
        ]

    def stripe_checks(self, world: World) -> list[Finding]:
        if world.stripe is None:
            return []
        findings = []
        for desired in world.desired_list(self):
            if not tax_enabled(desired.document):
                continue
            status = _stripe_tax_status(world.stripe, desired.document["app"])
            if status not in (None, "active"):
                findings.append(
                    Finding(
                        address=desired.address,
                        severity=Severity.ERROR,
                        message=f"tax is enabled, but Stripe Tax is not active on the account "
                        f"(status {status})",
                        fix="activate Stripe Tax (head office address and registrations) in the "
                        "Stripe Dashboard, or set workflow.tax.enabled: false",
                    )
                )
        return findings

    def changed_at(self, live: Live, paths: Sequence[str]) -> str | None:
        # The app is set once, at creation: it shows changed when the app went, not the profile.
        return None if "app" in paths else super().changed_at(live, paths)

    def observe(self, live: Live) -> Document:
        # Promoting another profile demotes this one as a side effect of the same apply.
        return {k: v for k, v in super().observe(live).items() if k != "default"}

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_live(konnect, routes.PROFILE, {"profileId": live.id}, "name")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((p for p in _profiles(konnect) if p.key == desired.key), None)

    def create(self, desired: Desired, writer: Writer) -> str:
        app = {"id": writer.id_of(Address(type=STRIPE_APP, name=desired.document["app"]))}
        body = {
            **_writable(desired.document),
            "apps": {"tax": app, "invoicing": app, "payment": app},
        }

        def post() -> str:
            profile_id: str = writer.konnect.post(routes.PROFILES, body)["id"]
            return profile_id

        # A replacement shares its name with the profile it replaces: look for a new one only.
        existing = {live.id for live in writer.world.live.get(ADDRESS_TYPE, [])}

        def find() -> Live | None:
            return next(
                (
                    p
                    for p in _profiles(writer.konnect)
                    if p.key == desired.key and p.id not in existing
                ),
                None,
            )

        return create_once(post, find)

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        # PUT replaces the whole profile: omitted workflow fields would fall back to defaults.
        document = self.comparable(desired, self.live_document(live, writer.world))
        writer.konnect.put(routes.PROFILE, _writable(document), path={"profileId": live.id})
        return live.id

    def deletions_refused(
        self, deleted: Sequence[Live], sources: Sources, world: World
    ) -> dict[str, str]:
        found = blocking_invoices(
            sources.konnect, [live.id for live in deleted], lambda i, p: i.profile_id == p
        )
        return {
            profile_id: f"{len(using)} invoice(s) made from this profile are not final yet "
            f"({named(using)}), and deleting it would leave them without it; {UNTIL_FINAL}"
            for profile_id, using in found.items()
        }

    def delete(self, live: Live, writer: Writer) -> None:
        writer.konnect.delete(routes.PROFILE, path={"profileId": live.id})

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        # PUT replaces the whole profile, so every field goes back as read.
        raw = live.raw
        body = {
            "name": raw["name"],
            "description": raw.get("description"),
            "labels": owned_labels(user_labels(raw.get("labels"))),
            "default": bool(raw.get("default")),
            "supplier": supplier(raw),
            "workflow": raw.get("workflow") or {},
        }
        konnect.put(routes.PROFILE, compact(body), path={"profileId": live.id})

    def export(self, context: ExportContext) -> None:
        export_profiles(context)


def _profiles(konnect: KonnectClient) -> list[Live]:
    return [Live.of(profile, "name") for profile in konnect.list_all(routes.PROFILES)]


def _writable(document: Document) -> Document:
    """The profile as Konnect takes it; the app is set once, on create, as `apps`."""
    return {k: v for k, v in document.items() if k != "app"}


def _desired_document(profile: BillingProfile) -> Document:
    spec = profile.spec
    return compact(
        {
            "name": profile.konnect_name,
            "description": spec.description,
            "labels": owned_labels(profile.metadata.labels),
            "default": spec.default,
            "app": spec.app,
            "supplier": spec.supplier.model_dump(exclude_none=True),
            "workflow": workflow_with_defaults(spec.workflow),
        }
    )


def tax_enabled(document: Document) -> bool:
    return bool(document.get("workflow", {}).get("tax", {}).get("enabled"))


def tax_enforced(document: Document) -> bool:
    return bool(document.get("workflow", {}).get("tax", {}).get("enforced"))


def collection_method(document: Document) -> str:
    method: str = document.get("workflow", {}).get("payment", {}).get("collection_method", "")
    return method


def _default_change(action: Action) -> tuple[Any, Any] | None:
    change = next((c for c in action.changes if c.path == "default"), None)
    return None if change is None else (change.before, change.after)


def _loses_default(action: Action) -> bool:
    return action.type is ActionType.UPDATE and _default_change(action) == (True, False)


def _gains_default(action: Action) -> bool:
    """Whether the action makes the profile the default: an update, or a new profile (created,
    or replacing one) written with `default: true`, which demotes the current default."""
    change = _default_change(action)
    promoting = (ActionType.CREATE, ActionType.UPDATE, ActionType.REPLACE)
    return action.type in promoting and change is not None and change[1] is True


def declared_default(world: World) -> Address | None:
    """The profile the manifests make the default: where customers that name none go."""
    desired = world.desired.get(ADDRESS_TYPE, [])
    return next((d.address for d in desired if d.document.get("default")), None)


def changes_app(profile: Document, live: Live, world: World) -> bool:
    """Whether applying the declared `profile` replaces `live`: the app cannot change in place."""
    return world.name_of(STRIPE_APP, app_id(live.raw)) != profile.get("app")


def _current_default(world: World) -> Live | None:
    return next((live for live in world.live[ADDRESS_TYPE] if live.raw.get("default")), None)


def _demotion(action: Action, world: World) -> Action:
    """Konnect refuses to unset the default; the new default's update demotes this one."""
    new_default = declared_default(world)
    if new_default is None:
        return action
    return action.model_copy(
        update={
            "depends_on": action.depends_on | {new_default},
            "reasons": (
                *action.reasons,
                f"stops being the default when {new_default} becomes it (one call; the "
                "organization is never without a default)",
            ),
        }
    )


def _promotion(action: Action, world: World) -> Action:
    current = _current_default(world)
    if current is None:
        return action
    old = world.address_of(ADDRESS_TYPE, current)
    if old == action.address:
        return action
    return action.model_copy(
        update={
            "releases": action.releases | {old},
            "reasons": (*action.reasons, f"becomes the default profile in place of {old}"),
        }
    )


def _deletion(action: Action, world: World) -> Action:
    current = _current_default(world)
    if current is None or world.address_of(ADDRESS_TYPE, current) != action.address:
        return action
    if declared_default(world) is not None:
        return action
    return action.model_copy(
        update={
            "type": ActionType.BLOCKED,
            "reasons": (
                "it is the default profile and no manifest names a new default; Konnect "
                "refuses to delete the default",
            ),
        }
    )


def _replacement(action: Action, world: World) -> Action:
    live = world.live_of(action.address)
    gone = _app_gone(action, live, world)
    dependants = sum(
        1 for group in world.desired.values() for d in group if action.address in d.depends_on
    )
    if dependants:
        # Konnect cannot move a customer's invoices to another app; refuse rather than guess.
        return action.model_copy(
            update={
                "type": ActionType.BLOCKED,
                "reasons": (
                    f"{gone}the app of a billing profile cannot change, and {dependants} "
                    "customer link(s) bill through this one; declare a new profile under "
                    "another name with the new app, move the links to it, then remove this one "
                    "(--prune)",
                ),
            }
        )
    note = (
        f"{gone}the app of a billing profile cannot change: a new profile is created, then the "
        "old one is deleted"
    )
    if live is not None and live.raw.get("default"):
        note += "; the new profile becomes the default before the old one goes"
    return action.model_copy(update={"reasons": (*action.reasons, note)})


def _app_gone(action: Action, live: Live | None, world: World) -> str:
    """A preamble saying why the live app differs when it is not a live Stripe app at all."""
    app_id = ((live.raw.get("apps") or {}).get("invoicing") or {}).get("id") if live else None
    if app_id is None or any(app.id == app_id for app in world.live.get(STRIPE_APP, [])):
        return ""
    preamble = f"its app {app_id} is not a live Stripe app: uninstalled out of band, or of "
    preamble += "another type; "
    desired = world.desired_of(action.address)
    app = desired.document.get("app") if desired else None
    if app and world.live_of(Address(type=STRIPE_APP, name=app)) is None:
        preamble += f"apply installs {app} anew, but "
    return preamble


def _stripe_tax_status(stripe: StripeAccounts, app: str) -> str | None:
    """Stripe Tax's status on the app's account; None when it cannot be read."""
    facts = stripe.of(app)
    if facts is None:
        return None
    try:
        return str(facts.tax_settings().get("status"))
    except StripeUnavailable:
        return None  # the app's account check reports why
