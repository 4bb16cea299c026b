"""Addon: a product catalog add-on matched by key, compared with its current version.

Versions work as a plan's do (`kinds/plan/versioning.py`): a change to a published version
is a new version, published, and Konnect archives the one it replaces. Unlike plans, add-ons
show their labels: reconcile owns those it made, and reports the others as not managed.
Labels are written with each new version and not compared: a published version cannot be
relabelled, so an add-on made elsewhere is taken over as it is when declared.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.answers import OBJECT_WITH_ID
from reconciler.clients.errors import Gone, NotFound
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import Desired, Document, Live, compact, owned_labels
from reconciler.kinds.creation import create_once
from reconciler.kinds.plan.documents import FEATURE, TAX_CODE, desired_card, live_card
from reconciler.kinds.plan.export import Unexportable, exported_card
from reconciler.kinds.plan.references import live_features, named_in_cards, problems
from reconciler.kinds.plan.resource import namer
from reconciler.kinds.plan.versioning import versioned
from reconciler.kinds.plan.versions import ACTIVE, ARCHIVED, DRAFT, PlanVersion, plans_by_key
from reconciler.kinds.plan.writing import rate_card_body
from reconciler.manifests import Feature, TaxCode
from reconciler.manifests.addon import Addon

ADDRESS_TYPE = "addon"


class AddonResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (TAX_CODE, FEATURE)
    deletable = False
    adoption = Adoption.NONE  # a published version takes no new labels

    def desired(self, context: DesiredContext) -> list[Desired]:
        manifests = context.manifests
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=addon.name),
                key=addon.spec.key,
                document=_desired_document(addon),
                depends_on=frozenset(
                    Address(type=n.address_type, name=n.name)
                    for n in named_in_cards(addon.spec.rate_cards, "rate_cards")
                    if manifests.get(Feature if n.address_type == FEATURE else TaxCode, n.name)
                ),
            )
            for addon in manifests.of_kind(Addon)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return list(plans_by_key(sources.konnect.list_all(routes.ADDONS), labelled=True))

    def live_document(self, live: Live, world: World) -> Document:
        raw, name_of = live.raw, namer(world)
        return compact(
            {
                "key": raw.get("key"),
                "name": raw.get("name"),
                "description": raw.get("description") or None,
                "currency": raw.get("currency"),
                "instance_type": raw.get("instance_type"),
                "status": raw.get("status"),
                "rate_cards": {
                    card["key"]: live_card(card, name_of) for card in raw.get("rate_cards") or []
                },
            }
        )

    def live_references(self, live: Live, world: World) -> frozenset[Address]:
        return live_features(world, live.raw.get("rate_cards") or [])

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        if desired.document["status"] == ARCHIVED:
            return {**live_document, "status": ARCHIVED}
        return desired.document

    def refine(self, action: Action, world: World) -> Action:
        addon = world.manifests.get(Addon, action.address.name)
        if addon is None or not action.is_change or action.type is ActionType.BLOCKED:
            return action
        issues = problems(named_in_cards(addon.spec.rate_cards, "rate_cards"), world)
        if issues:
            return action.model_copy(update={"type": ActionType.BLOCKED, "reasons": tuple(issues)})
        live = world.live_of(action.address)
        return versioned(action, live, archived=addon.spec.archived)

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        try:
            found = konnect.get(routes.ADDON, path={"addonId": live.id}, expect=OBJECT_WITH_ID)
        except (NotFound, Gone):
            return None
        return None if found.get("deleted_at") else PlanVersion.chosen([found], labelled=True)

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        drafts = [
            addon
            for addon in konnect.list_all(routes.ADDONS, params={"filter[key]": desired.key})
            if addon["status"] == DRAFT and not addon.get("deleted_at")
        ]
        return PlanVersion.chosen(drafts, labelled=True) if drafts else None

    def create(self, desired: Desired, writer: Writer) -> str:
        body = {
            "key": desired.key,
            "currency": desired.document["currency"],
            **_upsert_body(desired, writer),
        }

        def post() -> str:
            addon_id: str = writer.konnect.post(routes.ADDONS, body)["id"]
            return addon_id

        addon_id = create_once(post, lambda: self.find(writer.konnect, desired))
        _settle(addon_id, desired, writer)
        return addon_id

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        status = live.raw["status"]
        if status == DRAFT:
            body = _upsert_body(desired, writer)
            writer.konnect.put(routes.ADDON, body, path={"addonId": live.id})
            _settle(live.id, desired, writer)
        elif status == ACTIVE and desired.document["status"] == ARCHIVED:
            writer.konnect.post(routes.ADDON_ARCHIVE, {}, path={"addonId": live.id})
        return live.id

    def replace(self, desired: Desired, live: Live, writer: Writer) -> str:
        """A new version, published: Konnect archives the version in effect as it publishes."""
        return self.create(desired, writer)

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        """Nothing to write: a published add-on version cannot be relabelled."""

    def export(self, context: ExportContext) -> None:
        addons = [a for a in context.live_of(ADDRESS_TYPE) if a.raw["status"] != DRAFT]
        names = context.name_all(ADDRESS_TYPE, [(addon, addon.key) for addon in addons])
        for addon in sorted(addons, key=lambda live: names[live.id]):
            name = names[addon.id]
            raw = addon.raw
            try:
                cards = [exported_card(card, context) for card in raw.get("rate_cards") or []]
            except Unexportable as reason:
                context.skip(ADDRESS_TYPE, addon.key, str(reason))
                continue
            spec = compact(
                {
                    "key": addon.key,
                    "name": raw["name"] if raw["name"] != name else None,
                    "description": raw.get("description") or None,
                    "currency": raw["currency"],
                    "instance_type": raw["instance_type"],
                    "archived": True if raw["status"] == ARCHIVED else None,
                    "rate_cards": cards,
                }
            )
            document = manifest_document(Addon.KIND, name, addon, spec, needs_adoption=False)
            context.add(ADDRESS_TYPE, addon, document)


def _desired_document(addon: Addon) -> Document:
    spec = addon.spec
    return compact(
        {
            "key": spec.key,
            "name": addon.konnect_name,
            "description": spec.description,
            "currency": spec.currency,
            "instance_type": spec.instance_type,
            "status": ARCHIVED if spec.archived else ACTIVE,
            "rate_cards": {card.key: desired_card(card) for card in spec.rate_cards},
        }
    )


def _upsert_body(desired: Desired, writer: Writer) -> Document:
    document = desired.document
    addon = writer.world.manifests.get(Addon, desired.address.name)
    return compact(
        {
            "name": document["name"],
            "description": document.get("description"),
            "labels": owned_labels(addon.metadata.labels if addon else None),
            "instance_type": document["instance_type"],
            "rate_cards": [
                rate_card_body(key, card, writer) for key, card in document["rate_cards"].items()
            ],
        }
    )


def _settle(addon_id: str, desired: Desired, writer: Writer) -> None:
    writer.konnect.post(routes.ADDON_PUBLISH, {}, path={"addonId": addon_id})
    if desired.document["status"] == ARCHIVED:
        writer.konnect.post(routes.ADDON_ARCHIVE, {}, path={"addonId": addon_id})
