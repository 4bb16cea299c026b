"""The workflow values Konnect gives a billing profile for each field a manifest leaves out.

One table, used both ways: the desired document is filled in from it, so that a profile
created from the manifest plans clean, and an export leaves out what equals it. Konnect
re-renders durations, so both sides compare them in one canonical spelling.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.exporting import without
from reconciler.core.live import Document, compact
from reconciler.kinds.durations import canonical_duration
from reconciler.manifests.billing_profile import (
    AnchoredAlignment,
    Collection,
    Invoicing,
    SendInvoice,
    Tax,
    Workflow,
)

PRORATION = "subscription_end_proration_mode"
WORKFLOW_DEFAULTS: Document = {
    "collection": {"alignment": {"type": "subscription"}, "interval": "PT1H"},
    "invoicing": {
        "auto_advance": True,
        "draft_period": "P0D",
        "progressive_billing": True,
        PRORATION: "bill_actual_period",
    },
    "payment": {"collection_method": "charge_automatically"},
    "tax": {"enabled": True, "enforced": False},
}
# The payment term of a `send_invoice` profile that names none.
SEND_INVOICE_DUE_AFTER = "P30D"
_DURATION_FIELDS = ("interval", "draft_period", "due_after")


def workflow_with_defaults(workflow: Workflow) -> Document:
    """The workflow as Konnect stores it: each unset field at the API's default, except the
    proration mode, which keeps its stored value on update (see `comparable`)."""
    collection = workflow.collection or Collection()
    invoicing = workflow.invoicing or Invoicing()
    tax = workflow.tax or Tax()
    return compact(
        {
            "collection": {
                "alignment": _alignment(collection.alignment),
                "interval": canonical_duration(
                    collection.interval or _default("collection", "interval")
                ),
            },
            "invoicing": {
                "auto_advance": _given(invoicing.auto_advance, "invoicing", "auto_advance"),
                "draft_period": canonical_duration(
                    invoicing.draft_period or _default("invoicing", "draft_period")
                ),
                "progressive_billing": _given(
                    invoicing.progressive_billing, "invoicing", "progressive_billing"
                ),
                PRORATION: invoicing.subscription_end_proration_mode,
            },
            "payment": _payment(workflow),
            "tax": {
                "enabled": _given(tax.enabled, "tax", "enabled"),
                "enforced": _given(tax.enforced, "tax", "enforced"),
                "default_tax_config": (
                    tax.default_tax_config.model_dump(exclude_none=True)
                    if tax.default_tax_config
                    else None
                ),
            },
        }
    )


def without_defaults(workflow: Document) -> Document:
    """A live workflow as a person would declare it: what equals the API default left out."""
    defaults = with_canonical_durations(WORKFLOW_DEFAULTS)
    declared = without(with_canonical_durations(workflow), defaults)
    payment = declared.get("payment", {})
    if payment.get("due_after") == canonical_duration(SEND_INVOICE_DUE_AFTER):
        del payment["due_after"]
    return declared


def with_canonical_durations(value: Any) -> Any:
    """Every duration-valued field of a workflow in the canonical spelling."""
    if isinstance(value, dict):
        return {
            key: canonical_duration(item)
            if key in _DURATION_FIELDS and isinstance(item, str)
            else with_canonical_durations(item)
            for key, item in value.items()
        }
    return value


def _default(section: str, field: str) -> Any:
    return WORKFLOW_DEFAULTS[section][field]


def _given(value: bool | None, section: str, field: str) -> bool:
    return bool(_default(section, field)) if value is None else value


def _alignment(alignment: Any) -> Document:
    if isinstance(alignment, AnchoredAlignment):
        period = alignment.recurring_period
        return {
            "type": "anchored",
            "recurring_period": {
                "anchor": period.anchor.isoformat().replace("+00:00", "Z"),
                "interval": canonical_duration(period.interval),
            },
        }
    return dict(_default("collection", "alignment"))


def _payment(workflow: Workflow) -> Document:
    if isinstance(workflow.payment, SendInvoice):
        due_after = canonical_duration(workflow.payment.due_after or SEND_INVOICE_DUE_AFTER)
        return {"collection_method": "send_invoice", "due_after": due_after}
    return dict(WORKFLOW_DEFAULTS["payment"])
