"""TaxCode: a Konnect tax code matched by key, with its Stripe mapping.

Konnect refuses to delete tax codes, so prune reports owned ones the manifests no longer
name as orphans instead of planning a deletion that would fail.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients.errors import Gone, NotFound
from reconciler.clients.konnect import KonnectClient
from reconciler.engine.actions import Address
from reconciler.engine.plan import Finding, Severity
from reconciler.manifests import TaxCode
from reconciler.resources.base import (
    Desired,
    DesiredContext,
    Document,
    Live,
    Resource,
    Sources,
    World,
    Writer,
    compact,
    owned_labels,
    user_labels,
)
from reconciler.resources.creation import create_once
from reconciler.resources.stripe_facts import StripeFacts, StripeUnavailable

ADDRESS_TYPE = "tax_code"
TAX_CODES_ROUTE = "/openmeter/tax-codes"
TAX_CODE_ROUTE = "/openmeter/tax-codes/{taxCodeId}"


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

    def prefetch_stripe(self, stripe: StripeFacts, desired: Sequence[Desired]) -> None:
        if desired:
            stripe.tax_code_ids()

    def stripe_checks(self, world: World) -> list[Finding]:
        if world.stripe is None:
            return []
        try:
            known = world.stripe.tax_code_ids()
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
        try:
            code = konnect.get(TAX_CODE_ROUTE, path={"taxCodeId": live.id})
        except (NotFound, Gone):
            return None
        return None if code.get("deleted_at") else Live.of(code, "key")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((code for code in _tax_codes(konnect) if code.key == desired.key), None)

    def create(self, desired: Desired, writer: Writer) -> str:
        def post() -> str:
            body = {"key": desired.key, **_body(desired)}
            code_id: str = writer.konnect.post(TAX_CODES_ROUTE, body)["id"]
            return code_id

        return create_once(post, lambda: self.find(writer.konnect, desired))

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        writer.konnect.put(TAX_CODE_ROUTE, _body(desired), path={"taxCodeId": live.id})
        return live.id


def _tax_codes(konnect: KonnectClient) -> list[Live]:
    return [Live.of(code, "key") for code in konnect.list_all(TAX_CODES_ROUTE)]


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
