"""TaxCode: a Konnect tax code matched by key, with its Stripe mapping.

Konnect refuses to delete tax codes, so prune reports owned ones the manifests no longer
name as orphans instead of planning a deletion that would fail.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.kind import DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import (
    Desired,
    Document,
    Live,
    compact,
    fetch_live,
    owned_labels,
    user_labels,
)
from reconciler.core.plan import Finding, Severity
from reconciler.core.stripe_facts import StripeAccounts, StripeUnavailable
from reconciler.kinds.creation import create_once
from reconciler.manifests import TaxCode

ADDRESS_TYPE = "tax_code"
SYSTEM_MANAGED = "created by Konnect for a Stripe tax code it was given (system-managed)"


class TaxCodeResource(Resource):
    address_type = ADDRESS_TYPE
    deletable = False
    immutable = frozenset({"key"})

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=code.name),
                key=code.spec.key,
                document=compact(
                    {
                        "key": code.spec.key,
                        "name": code.konnect_name,
                        "description": code.spec.description,
                        "labels": owned_labels(code.metadata.labels),
                        "app_mappings": {"stripe": code.spec.stripe_tax_code},
                    }
                ),
                adopt=code.metadata.adopt,
            )
            for code in context.manifests.of_kind(TaxCode)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _tax_codes(sources.konnect)

    def live_document(self, live: Live, world: World) -> Document:
        mappings = live.raw.get("app_mappings") or []
        return compact(
            {
                "key": live.raw.get("key"),
                "name": live.raw.get("name"),
                "description": live.raw.get("description"),
                "labels": user_labels(live.raw.get("labels")),
                # Keyed by app type (unique per code) so a diff names the app that changes.
                "app_mappings": {m["app_type"]: m["tax_code"] for m in mappings},
            }
        )

    def refine(self, action: Action, world: World) -> Action:
        live = world.live_of(action.address)
        if live is None or not action.is_change or not is_system_managed(live.raw):
            return action
        return action.model_copy(
            update={
                "type": ActionType.BLOCKED,
                "reasons": (
                    f"the live tax code {live.key!r} was {SYSTEM_MANAGED}; Konnect refuses to "
                    "change it: declare a tax code with another key",
                ),
            }
        )

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        facts = stripe.catalogue() if world.desired_list(self) else None
        if facts is not None:
            facts.tax_code_ids()

    def stripe_checks(self, world: World) -> list[Finding]:
        # Stripe's product tax codes are one catalogue, the same in every account.
        facts = world.stripe.catalogue() if world.stripe is not None else None
        if facts is None:
            return []
        try:
            known = facts.tax_code_ids()
        except StripeUnavailable:
            return []
        return [
            Finding(
                address=Address(type=ADDRESS_TYPE, name=code.name),
                severity=Severity.ERROR,
                message=f"Stripe has no tax code {code.spec.stripe_tax_code}",
                fix="pick an existing code from Stripe's product tax code list "
                "(https://docs.stripe.com/tax/tax-codes)",
            )
            for code in world.manifests.of_kind(TaxCode)
            if code.spec.stripe_tax_code not in known
        ]

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_live(konnect, routes.TAX_CODE, {"taxCodeId": live.id}, "key")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((code for code in _tax_codes(konnect) if code.key == desired.key), None)

    def create(self, desired: Desired, writer: Writer) -> str:
        def post() -> str:
            body = {"key": desired.key, **_body(desired)}
            code_id: str = writer.konnect.post(routes.TAX_CODES, body)["id"]
            return code_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        writer.konnect.put(routes.TAX_CODE, _body(desired), path={"taxCodeId": live.id})
        return live.id

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        raw = live.raw
        body = {
            "name": raw["name"],
            "description": raw.get("description"),
            "labels": owned_labels(user_labels(raw.get("labels"))),
            "app_mappings": raw.get("app_mappings") or [],
        }
        konnect.put(routes.TAX_CODE, compact(body), path={"taxCodeId": live.id})

    def export(self, context: ExportContext) -> None:
        codes = [code for code in context.live_of(ADDRESS_TYPE) if _exportable(code, context)]
        names = context.name_all(ADDRESS_TYPE, [(code, code.key) for code in codes])
        for code in sorted(codes, key=lambda live: names[live.id]):
            name = names[code.id]
            mappings = {m["app_type"]: m["tax_code"] for m in code.raw.get("app_mappings") or []}
            spec = compact(
                {
                    "key": code.key,
                    "name": code.raw["name"] if code.raw["name"] != name else None,
                    "description": code.raw.get("description"),
                    "stripe_tax_code": mappings["stripe"],
                }
            )
            document = manifest_document(TaxCode.KIND, name, code, spec, needs_adoption=True)
            context.add(ADDRESS_TYPE, code, document)


def is_system_managed(raw: Document) -> bool:
    """Konnect makes these itself, keyed `<app type>_<code>`; they cannot be updated."""
    mappings = raw.get("app_mappings") or []
    return any(raw.get("key") == f"{m['app_type']}_{m['tax_code']}" for m in mappings)


def _exportable(code: Live, context: ExportContext) -> bool:
    app_types = sorted(m["app_type"] for m in code.raw.get("app_mappings") or [])
    reason = None
    if is_system_managed(code.raw):
        reason = SYSTEM_MANAGED
    elif app_types != ["stripe"]:
        reason = (
            f"maps to apps {', '.join(app_types) or '(none)'}; a TaxCode manifest declares "
            "exactly one Stripe tax code"
        )
    if reason is not None:
        context.skip(ADDRESS_TYPE, code.key, reason)
    return reason is None


def _tax_codes(konnect: KonnectClient) -> list[Live]:
    return [Live.of(code, "key") for code in konnect.list_all(routes.TAX_CODES)]


def _body(desired: Desired) -> Document:
    """The writable fields; the key is immutable and sent on create only."""
    document = desired.document
    return compact(
        {
            "name": document["name"],
            "description": document.get("description"),
            "labels": document.get("labels"),
            "app_mappings": [
                {"app_type": app_type, "tax_code": code}
                for app_type, code in document["app_mappings"].items()
            ],
        }
    )
