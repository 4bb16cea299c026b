"""Plan: a product catalog plan matched by key, compared with its current version.

A published version is immutable in Konnect: a change to one plans as a replacement that
makes the next version as a draft and publishes it, and Konnect archives the version it
replaces as it publishes. A draft (left by an interrupted apply, or made in Konnect) is
changed in place and published. `archived: true` archives the active version.

Konnect renders no labels on plans, so reconcile cannot tell the plans it made: a declared
plan is the live plan with its key (no adoption step), and plans are never pruned.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.answers import OBJECT_WITH_ID
from reconciler.clients.errors import Gone, NotFound
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import Desired, Document, Live
from reconciler.core.plan import Finding
from reconciler.kinds.creation import create_once
from reconciler.kinds.plan import documents
from reconciler.kinds.plan.addons import (
    ADDON,
    addon_problems,
    desired_addons,
    live_addons,
    with_addons,
    write_addons,
)
from reconciler.kinds.plan.currency import currency_findings
from reconciler.kinds.plan.documents import FEATURE, TAX_CODE, Namer
from reconciler.kinds.plan.export import export_plans
from reconciler.kinds.plan.references import live_features, named, problems
from reconciler.kinds.plan.versioning import versioned
from reconciler.kinds.plan.versions import ACTIVE, ARCHIVED, DRAFT, PlanVersion, plans_by_key
from reconciler.kinds.plan.writing import create_body, upsert_body
from reconciler.manifests import Addon, Feature, TaxCode
from reconciler.manifests.plan import Plan

ADDRESS_TYPE = "plan"


class PlanResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (TAX_CODE, FEATURE, ADDON)
    deletable = False
    # No ownership to read: a declared plan is the live plan with its key.
    adoption = Adoption.NONE

    def desired(self, context: DesiredContext) -> list[Desired]:
        manifests = context.manifests
        found = []
        for plan in manifests.of_kind(Plan):
            depends = {
                Address(type=FEATURE, name=card.feature)
                for phase in plan.spec.phases
                for card in phase.rate_cards
                if card.feature and manifests.get(Feature, card.feature)
            } | {
                Address(type=TAX_CODE, name=card.tax_config.tax_code)
                for phase in plan.spec.phases
                for card in phase.rate_cards
                if card.tax_config and manifests.get(TaxCode, card.tax_config.tax_code)
            }
            depends |= {
                Address(type=ADDON, name=addon.addon)
                for addon in plan.spec.addons or ()
                if manifests.get(Addon, addon.addon)
            }
            document = documents.desired_document(plan)
            addons = desired_addons(plan)
            if addons is not None:
                document["addons"] = addons
            found.append(
                Desired(
                    address=Address(type=ADDRESS_TYPE, name=plan.name),
                    key=plan.spec.key,
                    document=document,
                    depends_on=frozenset(depends),
                )
            )
        return found

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        plans = plans_by_key(sources.konnect.list_all(routes.PLANS))
        declared = {d.key for d in desired}
        # Add-ons are read for the declared plans only: one request per plan.
        read = with_addons(sources.konnect, [p for p in plans if p.key in declared])
        return [*read, *(p for p in plans if p.key not in declared)]

    def read_for_export(self, sources: Sources) -> list[Live]:
        return list(
            with_addons(sources.konnect, plans_by_key(sources.konnect.list_all(routes.PLANS)))
        )

    def live_document(self, live: Live, world: World) -> Document:
        document = documents.live_document(live.raw, namer(world))
        addons = live_addons(live, namer(world)) if isinstance(live, PlanVersion) else None
        if addons is not None:
            document["addons"] = addons
        return document

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        cards = [card for phase in live.raw.get("phases") or [] for card in phase["rate_cards"]]
        return live_features(world, cards)

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        if desired.document["status"] == ARCHIVED:
            # Retired: its content no longer matters, only that it takes no subscriptions.
            return {**live_document, "status": ARCHIVED}
        return desired.document

    def refine(self, action: Action, world: World) -> Action:
        plan = world.manifests.get(Plan, action.address.name)
        if plan is None or not action.is_change or action.type is ActionType.BLOCKED:
            return action
        issues = problems(named(plan), world) + addon_problems(plan, world)
        if issues:
            return action.model_copy(update={"type": ActionType.BLOCKED, "reasons": tuple(issues)})
        live = world.live_of(action.address)
        return versioned(action, live, archived=plan.spec.archived)

    def findings(self, world: World) -> list[Finding]:
        return currency_findings(world, ADDRESS_TYPE)

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        try:
            found = konnect.get(routes.PLAN, path={"planId": live.id}, expect=OBJECT_WITH_ID)
        except (NotFound, Gone):
            return None
        return None if found.get("deleted_at") else PlanVersion.chosen([found])

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        """The draft a lost create answer may have left."""
        drafts = [
            plan
            for plan in konnect.list_all(routes.PLANS, params={"filter[key]": desired.key})
            if plan["status"] == DRAFT and not plan.get("deleted_at")
        ]
        return PlanVersion.chosen(drafts) if drafts else None

    def create(self, desired: Desired, writer: Writer) -> str:
        plan_id = self._new_version(desired, writer)
        write_addons(plan_id, desired.document, writer)
        self._settle(plan_id, desired, writer)
        return plan_id

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        status = live.raw["status"]
        if status == DRAFT:
            body = upsert_body(desired.document, _manifest(desired, writer), writer)
            writer.konnect.put(routes.PLAN, body, path={"planId": live.id})
            write_addons(live.id, desired.document, writer)
            self._settle(live.id, desired, writer)
        elif status == ACTIVE and desired.document["status"] == ARCHIVED:
            writer.konnect.post(routes.PLAN_ARCHIVE, {}, path={"planId": live.id})
        return live.id

    def replace(self, desired: Desired, live: Live, writer: Writer) -> str:
        """A new version, published: Konnect archives the version in effect as it publishes."""
        return self.create(desired, writer)

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        """Nothing to write: Konnect renders no plan labels, so declaring a plan adopts it."""

    def export(self, context: ExportContext) -> None:
        export_plans(context)

    def _new_version(self, desired: Desired, writer: Writer) -> str:
        body = create_body(desired.document, _manifest(desired, writer), writer)

        def post() -> str:
            plan_id: str = writer.konnect.post(routes.PLANS, body)["id"]
            return plan_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def _settle(self, plan_id: str, desired: Desired, writer: Writer) -> None:
        """Publish a draft; archive it too when the manifest retires the plan."""
        writer.konnect.post(routes.PLAN_PUBLISH, {}, path={"planId": plan_id})
        if desired.document["status"] == ARCHIVED:
            writer.konnect.post(routes.PLAN_ARCHIVE, {}, path={"planId": plan_id})


def _manifest(desired: Desired, writer: Writer) -> Plan | None:
    return writer.world.manifests.get(Plan, desired.address.name)


def namer(world: World) -> Namer:
    def name(address_type: str, live_id: str | None) -> str | None:
        if live_id is None:
            return None
        address = world.address_by_id(address_type, live_id)
        return address.name if address is not None else f"(not found: {live_id})"

    return name
