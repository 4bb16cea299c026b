"""Billing profiles (`/profiles`): supplier, workflow and the app trio, with one default.

The rules are the server's, not the spec's: PUT rebuilds the workflow from built-in defaults,
an unparsable duration quietly becomes the default, and the default profile can only be
changed by promoting another one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.collection_names import (
    APPS,
    CUSTOMERS,
    PINNED_PROFILE,
    PROFILES,
)
from reconciler.sandbox.konnect_api.durations import normalized_or
from reconciler.sandbox.konnect_api.endpoint import (
    endpoint,
    json,
    no_content,
    parse_body,
    path_id,
)
from reconciler.sandbox.konnect_api.errors import (
    billing_problem,
    not_found,
    register_union_tags,
)
from reconciler.sandbox.konnect_api.labels import check_labels, labels_for_read
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGED
from reconciler.sandbox.konnect_api.schemas import (
    ULID,
    Address,
    Description,
    Labels,
    Name,
    Reference,
    Sealed,
    public,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document, Store


class TaxIdentity(Sealed):
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None


class PartyAddresses(Sealed):
    billing_address: Address


class Party(Sealed):
    key: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    name: str | None = None
    tax_id: TaxIdentity | None = None
    addresses: PartyAddresses | None = None


class RecurringPeriod(Sealed):
    anchor: AwareDatetime
    interval: str


class SubscriptionAlignment(Sealed):
    type: Literal["subscription"]


class AnchoredAlignment(Sealed):
    type: Literal["anchored"]
    recurring_period: RecurringPeriod


class CollectionSettings(Sealed):
    alignment: Annotated[SubscriptionAlignment | AnchoredAlignment, Field(discriminator="type")] = (
        SubscriptionAlignment(type="subscription")
    )
    interval: str | None = None


class InvoicingSettings(Sealed):
    auto_advance: bool = True
    draft_period: str | None = None
    progressive_billing: bool = True
    subscription_end_proration_mode: Literal["bill_full_period", "bill_actual_period"] | None = None


class ChargeAutomatically(Sealed):
    collection_method: Literal["charge_automatically"]


class SendInvoice(Sealed):
    collection_method: Literal["send_invoice"]
    due_after: str | None = None


class StripeTaxCode(Sealed):
    code: Annotated[str, StringConstraints(pattern=r"^txcd_\d{8}$")]


class ExternalTaxCode(Sealed):
    code: Annotated[str, StringConstraints(max_length=64)]


class TaxConfig(Sealed):
    behavior: Literal["inclusive", "exclusive"] | None = None
    stripe: StripeTaxCode | None = None
    external_invoicing: ExternalTaxCode | None = None
    tax_code_id: ULID | None = None
    tax_code: Reference | None = None


class TaxSettings(Sealed):
    enabled: bool = True
    enforced: bool = False
    default_tax_config: TaxConfig | None = None


class Workflow(Sealed):
    collection: CollectionSettings | None = None
    invoicing: InvoicingSettings | None = None
    payment: (
        Annotated[ChargeAutomatically | SendInvoice, Field(discriminator="collection_method")]
        | None
    ) = None
    tax: TaxSettings | None = None


register_union_tags("subscription", "anchored", "charge_automatically", "send_invoice")


class AppReferences(Sealed):
    tax: Reference
    invoicing: Reference
    payment: Reference


class UpsertProfile(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None
    supplier: Party
    workflow: Workflow
    default: bool


class CreateProfile(UpsertProfile):
    apps: AppReferences


# --- workflow -------------------------------------------------------------------------------


def workflow_document(workflow: Workflow, stored: Document | None) -> Document:
    """The stored workflow: every omitted field from the built-in defaults, never from `stored`.

    The one exception is the proration mode, which keeps its stored value when omitted.
    """
    collection = workflow.collection or CollectionSettings()
    invoicing = workflow.invoicing or InvoicingSettings()
    tax = workflow.tax or TaxSettings()
    stored_mode = (stored or {}).get("invoicing", {}).get("subscription_end_proration_mode")
    return {
        "collection": {
            "alignment": _alignment(collection.alignment),
            "interval": normalized_or(collection.interval, "PT1H"),
        },
        "invoicing": {
            "auto_advance": invoicing.auto_advance,
            "draft_period": normalized_or(invoicing.draft_period, "P0D"),
            "progressive_billing": invoicing.progressive_billing,
            "subscription_end_proration_mode": invoicing.subscription_end_proration_mode
            or stored_mode
            or "bill_actual_period",
        },
        "payment": _payment(workflow.payment),
        "tax": _tax(tax),
    }


def _alignment(alignment: SubscriptionAlignment | AnchoredAlignment) -> Document:
    if isinstance(alignment, SubscriptionAlignment):
        return {"type": "subscription"}
    period = alignment.recurring_period
    return {
        "type": "anchored",
        "recurring_period": {
            "anchor": period.anchor.isoformat().replace("+00:00", "Z"),
            "interval": normalized_or(period.interval, "P1M"),
        },
    }


def _payment(payment: ChargeAutomatically | SendInvoice | None) -> Document:
    if isinstance(payment, SendInvoice):
        return {
            "collection_method": "send_invoice",
            "due_after": normalized_or(payment.due_after, "P30D"),
        }
    return {"collection_method": "charge_automatically"}


def _tax(tax: TaxSettings) -> Document:
    if tax.enforced and not tax.enabled:
        raise billing_problem(
            400, "invalid_tax_settings", "tax enforcement requires tax calculation to be enabled"
        )
    settings: Document = {"enabled": tax.enabled, "enforced": tax.enforced}
    if tax.default_tax_config is not None:
        settings["default_tax_config"] = tax.default_tax_config.present()
    return settings


def _deprecated_tax_code(config: Document | None) -> Document:
    return {key: value for key, value in (config or {}).items() if key != "behavior"}


def _check_tax_code_unchanged(new: Document, stored: Document | None) -> None:
    """Per-profile tax codes are deprecated: they may be removed or kept, never set or changed."""
    requested = _deprecated_tax_code(new["tax"].get("default_tax_config"))
    current = _deprecated_tax_code((stored or {}).get("tax", {}).get("default_tax_config"))
    if requested and requested != current:
        raise billing_problem(
            400,
            "deprecated_tax_code",
            "the deprecated default tax code of a profile can no longer be added or changed; "
            "use the organization default tax codes",
        )


# --- supplier -------------------------------------------------------------------------------


def _supplier(party: Party, stored: Document | None) -> Document:
    supplier = party.present()
    country = supplier.get("addresses", {}).get("billing_address", {}).get("country")
    if not supplier.get("name"):
        raise billing_problem(400, "invalid_supplier", "supplier name is required")
    if not country:
        raise billing_problem(
            400, "invalid_supplier", "supplier billing address country is required"
        )
    supplier["id"] = (stored or {}).get("id") or new_ulid()
    return supplier


# --- defaults -------------------------------------------------------------------------------


def default_profile(store: Store) -> Document | None:
    found = store.find(PROFILES, {"default": True, "deleted_at": None}, limit=1)
    return found[0] if found else None


def _demote_current_default(store: Store, keep_id: str) -> None:
    current = default_profile(store)
    if current is not None and current["id"] != keep_id:
        current["default"] = False
        current["updated_at"] = rfc3339_now()
        store.put(PROFILES, current["id"], current)


def live_profile(store: Store, profile_id: str) -> Document | None:
    profile = store.get(PROFILES, profile_id)
    return None if profile is None or profile.get("deleted_at") else profile


def payment_app_type(store: Store, profile: Document) -> str | None:
    app = store.get(APPS, profile["apps"]["payment"]["id"])
    return None if app is None else str(app["type"])


def render(profile: Document) -> Document:
    shown = public(profile)
    shown["labels"] = labels_for_read(profile)
    return shown


def create_for_install(store: Store, app: Document, supplier: Document) -> Document:
    """The profile an app install creates: default only when replacing a sandbox-app default."""
    app_id = app["id"]
    app_name = {"stripe": "Stripe", "sandbox": "Sandbox"}.get(app["type"], "External Invoicing")
    current = default_profile(store)
    promote = current is not None and payment_app_type(store, current) == "sandbox"
    profile = stamp_new(
        {
            "id": new_ulid(),
            "name": f"{app_name} Billing Profile",
            "description": "Billing profile created automatically when the app was installed",
            "labels": {},
            "supplier": {**supplier, "id": new_ulid()},
            "workflow": workflow_document(Workflow(), None),
            "apps": {role: {"id": app_id} for role in ("tax", "invoicing", "payment")},
            "default": promote,
        }
    )
    if promote:
        _demote_current_default(store, profile["id"])
    return store.put(PROFILES, profile["id"], profile)


# --- handlers -------------------------------------------------------------------------------


def _list(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    store = sandbox.store
    where = {"deleted_at": None}
    found, total = store.page(PROFILES, where, offset=page.offset, limit=page.size)
    return json(page.envelope([render(p) for p in found], total))


def _create(request: Request, sandbox: Sandbox) -> Response:
    body = parse_body(request, CreateProfile)
    store = sandbox.store
    app_ids = {body.apps.tax.id, body.apps.invoicing.id, body.apps.payment.id}
    if len(app_ids) != 1:
        raise billing_problem(400, "invalid_profile_apps", "all apps must be the same")
    workflow = workflow_document(body.workflow, None)
    _check_tax_code_unchanged(workflow, None)
    profile = stamp_new(
        {
            "id": new_ulid(),
            "name": body.name,
            "labels": check_labels(body.labels),
            "supplier": _supplier(body.supplier, None),
            "workflow": workflow,
            "apps": body.apps.present(),
            "default": body.default,
        }
    )
    set_optional(profile, "description", body.description)
    with store.transaction():
        app = store.get(APPS, app_ids.pop())
        if app is None or app.get("deleted_at"):
            raise billing_problem(400, "app_not_found", "app not found")
        if body.default:
            _demote_current_default(store, profile["id"])
        store.put(PROFILES, profile["id"], profile)
    return json(render(profile), 201)


def _stored(request: Request, sandbox: Sandbox) -> Document:
    profile = sandbox.store.get(PROFILES, path_id(request, "profile_id", "billing profile"))
    if profile is None:
        raise not_found("billing profile")
    return profile


def _get(request: Request, sandbox: Sandbox) -> Response:
    profile = _stored(request, sandbox)
    if profile.get("deleted_at"):
        raise not_found("billing profile")
    return json(render(profile))


def _update(request: Request, sandbox: Sandbox) -> Response:
    profile_id = path_id(request, "profile_id", "billing profile")
    body = parse_body(request, UpsertProfile)
    store = sandbox.store
    with store.transaction():
        profile = _stored(request, sandbox)
        if profile.get("deleted_at"):
            raise billing_problem(400, "profile_already_deleted", "profile is already deleted")
        if profile["default"] and not body.default:
            raise billing_problem(
                400,
                "default_profile_cannot_be_unset",
                "the default profile cannot be unset; make another profile the default",
            )
        workflow = workflow_document(body.workflow, profile["workflow"])
        _check_tax_code_unchanged(workflow, profile["workflow"])
        profile.update(
            {
                "name": body.name,
                "labels": check_labels(body.labels),
                "supplier": _supplier(body.supplier, profile["supplier"]),
                "workflow": workflow,
                "default": body.default,
                "updated_at": rfc3339_now(),
            }
        )
        set_optional(profile, "description", body.description)
        if body.default:
            _demote_current_default(store, profile_id)
        store.put(PROFILES, profile_id, profile)
    return json(render(profile))


def _delete(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        profile = _stored(request, sandbox)
        if profile.get("deleted_at"):
            return no_content()
        if profile["default"]:
            raise billing_problem(
                400, "default_profile_cannot_be_deleted", "the default profile cannot be deleted"
            )
        pinned = store.find(CUSTOMERS, {PINNED_PROFILE: profile["id"], "deleted_at": None})
        if pinned:
            ids = ", ".join(customer["id"] for customer in pinned)
            raise billing_problem(
                400, "profile_referenced", f"profile is referenced by customers: {ids}"
            )
        profile["deleted_at"] = rfc3339_now()
        profile["updated_at"] = profile["deleted_at"]
        store.put(PROFILES, profile["id"], profile)
    return no_content()


def routes() -> list[BaseRoute]:
    return [
        Route("/profiles", endpoint(_list, PAGED), methods=["GET"]),
        Route("/profiles", endpoint(_create), methods=["POST"]),
        Route("/profiles/{profile_id}", endpoint(_get), methods=["GET"]),
        Route("/profiles/{profile_id}", endpoint(_update), methods=["PUT"]),
        Route("/profiles/{profile_id}", endpoint(_delete), methods=["DELETE"]),
    ]
