"""The organization's default tax codes: one singleton, pointing at tax codes by name.

Konnect's PUT needs both defaults; a use no manifest claims keeps its live value.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.clients import routes
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Address
from reconciler.core.exporting import ExportContext
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import Desired, Document, Live
from reconciler.kinds.tax_code.resource import ADDRESS_TYPE as TAX_CODE
from reconciler.manifests import TaxCode

ADDRESS_TYPE = "tax_defaults"
ORGANIZATION = "organization"
# Manifest vocabulary → API field.
USES = {"invoicing": "invoicing_tax_code", "credit_grants": "credit_grant_tax_code"}


class TaxDefaultsResource(Resource):
    address_type = ADDRESS_TYPE
    refers_to = (TAX_CODE,)
    deletable = False
    reports_unmanaged = False
    adoption = Adoption.NONE

    def desired(self, context: DesiredContext) -> list[Desired]:
        chosen: dict[str, str] = {
            use: code.name
            for code in context.manifests.of_kind(TaxCode)
            for use in code.spec.organization_default_for or ()
        }
        if not chosen:
            return []
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=ORGANIZATION),
                key=ORGANIZATION,
                document=chosen,
                depends_on=frozenset(Address(type=TAX_CODE, name=n) for n in chosen.values()),
            )
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        if not desired:
            return []
        return [_defaults(sources.konnect)]

    def read_for_export(self, sources: Sources) -> list[Live]:
        return [_defaults(sources.konnect)]

    def export(self, context: ExportContext) -> None:
        """The defaults become `organization_default_for` of the exported tax codes; a
        default the export left out (a system-managed code) stays undeclared."""
        for live in context.live_of(ADDRESS_TYPE):
            for use, field in USES.items():
                code_id = (live.raw.get(field) or {}).get("id")
                document = context.document_of(TAX_CODE, code_id) if code_id else None
                if document is not None:
                    document["spec"].setdefault("organization_default_for", []).append(use)

    def live_document(self, live: Live, world: World) -> Document:
        return {
            use: world.name_of(TAX_CODE, (live.raw.get(field) or {}).get("id"))
            for use, field in USES.items()
        }

    def comparable(self, desired: Desired, live_document: Document) -> Document:
        return {**live_document, **desired.document}

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return _defaults(konnect)

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return _defaults(konnect)  # provisioned with the organization: always there

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        # Konnect requires both references on every PUT; a use no manifest claims keeps its code.
        body = {field: {"id": (live.raw.get(field) or {}).get("id")} for field in USES.values()}
        for use, code in desired.document.items():
            body[USES[use]] = {"id": writer.id_of(Address(type=TAX_CODE, name=code))}
        writer.konnect.put(routes.TAX_CODE_DEFAULTS, body)
        return ORGANIZATION

    def create(self, desired: Desired, writer: Writer) -> str:
        live = _defaults(writer.konnect)
        return self.update(desired, live, writer)


def _defaults(konnect: KonnectClient) -> Live:
    defaults = konnect.get(routes.TAX_CODE_DEFAULTS)
    return Live(id=ORGANIZATION, key=ORGANIZATION, owned=False, raw=defaults)
