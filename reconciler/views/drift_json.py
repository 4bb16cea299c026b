"""What `drift --output json` prints: the drift report, the target it was read from, and the
notes. `schemas/drift-output.json` is generated from `DriftDocument`; `format_version`
follows the rule of `plan_json`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reconciler.core.actions import Address
from reconciler.core.documents import format_version_field
from reconciler.engine.drift import (
    DRIFT_FORMAT_VERSION,
    DriftClass,
    DriftField,
    DriftItem,
    DriftReport,
)

DRIFT_OUTPUT_FILE = "drift-output.json"
DRIFT_OUTPUT_TITLE = "reconcile drift --output json"
_DOCUMENT = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class DriftedField(BaseModel):
    model_config = _DOCUMENT

    path: str = Field(description="Dotted path of the field, as in the manifest's spec.")
    live: Any = Field(None, description="Live value; null when unset or sensitive.")
    manifest: Any = Field(None, description="The manifest's value; null when unset or sensitive.")
    sensitive: bool = Field(False, description="A secret: live and manifest are always null.")

    @classmethod
    def of(cls, field: DriftField) -> DriftedField:
        if field.sensitive:
            return cls(path=field.path, sensitive=True)
        return cls(path=field.path, live=field.live, manifest=field.manifest)


class DriftedResource(BaseModel):
    model_config = _DOCUMENT

    address: Address
    drift_class: DriftClass = Field(alias="class")
    message: str
    fix: str | None = Field(description="What to do about it; null when there is nothing to say.")
    changed_at: str | None = Field(
        description="`updated_at` of the object that changed where the API has one."
    )
    fields: tuple[DriftedField, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, item: DriftItem) -> DriftedResource:
        return cls.model_validate(
            {
                "address": item.address,
                "class": item.drift_class,
                "message": item.message,
                "fix": item.fix or None,
                "changed_at": item.changed_at,
                "fields": tuple(DriftedField.of(field) for field in item.fields),
                "notes": item.notes,
            }
        )


class DriftSummary(BaseModel):
    model_config = _DOCUMENT

    changed: int
    deleted: int
    unmanaged_match: int
    stripe: int


class DriftDocument(BaseModel):
    """The drift report as machines read it; `drifted` tells a clean run on its own."""

    model_config = _DOCUMENT

    format_version: int = format_version_field(DRIFT_FORMAT_VERSION)
    target: str = Field(description="The reconcile.yaml target the live state was read from.")
    drifted: bool
    summary: DriftSummary = Field(description="Drifted resources per drift class.")
    ignored_fields: int = Field(description="Differences dropped by `drift.ignore` rules.")
    stripe_checks: bool
    items: tuple[DriftedResource, ...] = ()
    not_managed: tuple[Address, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, report: DriftReport, target: str, notes: Sequence[str]) -> DriftDocument:
        return cls(
            target=target,
            drifted=report.drifted,
            summary=DriftSummary(**report.summary),
            ignored_fields=report.ignored_fields,
            stripe_checks=report.stripe_checks,
            items=tuple(DriftedResource.of(item) for item in report.items),
            not_managed=report.not_managed,
            notes=tuple(notes),
        )

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, by_alias=True)
