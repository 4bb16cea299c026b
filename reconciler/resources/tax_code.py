"""TaxCode: a Konnect tax code matched by key, with its Stripe mapping.

Konnect refuses to delete tax codes, so prune reports owned ones the manifests no longer
name as orphans instead of planning a deletion that would fail.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    compact,
    owned_labels,
    user_labels,
)
from reconciler.resources.stripe_facts import StripeFacts, StripeUnavailable

ADDRESS_TYPE = "tax_code"
TAX_CODES_ROUTE = "/openmeter/tax-codes"


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
        return [Live.of(code, "key") for code in sources.konnect.list_all(TAX_CODES_ROUTE)]

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
