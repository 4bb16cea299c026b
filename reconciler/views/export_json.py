"""What `export --output json` and `adopt --output json` print: what was written, removed,
skipped and annotated, or adopted. Schemas: `schemas/export-output.json` and
`schemas/adopt-output.json`; `format_version` follows the rule of `plan_json`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reconciler.core.actions import Address
from reconciler.core.documents import format_version_field
from reconciler.core.exporting import ExportContext
from reconciler.engine.exporter import ExportedFile
from reconciler.engine.planning.adoption import Adoptable

EXPORT_FORMAT_VERSION = 1
EXPORT_OUTPUT_FILE = "export-output.json"
EXPORT_OUTPUT_TITLE = "reconcile export --output json"
ENVIRONMENTS_EXPORT_FILE = "export-environments-output.json"
ENVIRONMENTS_EXPORT_TITLE = "reconcile export --layout environments --output json"
ADOPT_FORMAT_VERSION = 1
ADOPT_OUTPUT_FILE = "adopt-output.json"
ADOPT_OUTPUT_TITLE = "reconcile adopt --output json"
_DOCUMENT = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class WrittenFile(BaseModel):
    model_config = _DOCUMENT

    path: str = Field(description="The file written, as OUT_DIR/NAME.")
    kind: str = Field(description="The manifest kind it holds.")
    documents: int = Field(description="How many manifests it holds.")


class SkippedObject(BaseModel):
    model_config = _DOCUMENT

    type: str = Field(description="The resource type of the live object left out.")
    key: str
    reason: str


class ExportDocument(BaseModel):
    model_config = _DOCUMENT

    format_version: int = format_version_field(EXPORT_FORMAT_VERSION)
    target: str = Field(description="The reconcile.yaml target the live state was read from.")
    out_dir: str
    files: tuple[WrittenFile, ...] = ()
    removed: tuple[str, ...] = Field((), description="Files of export's names it no longer writes.")
    skipped: tuple[SkippedObject, ...] = ()
    adopted: tuple[str, ...] = Field(
        (),
        description="Manifest names annotated for adoption: live objects reconcile did not make.",
    )
    warnings: tuple[str, ...] = ()
    summary: str = Field(
        description="`valid`, or what a partial export (--kind) leaves unresolved."
    )

    @classmethod
    def of(
        cls,
        context: ExportContext,
        files: Sequence[ExportedFile],
        removed: Sequence[Path],
        summary: str,
        *,
        target: str,
        out_dir: Path,
    ) -> ExportDocument:
        """From the parts of the library's `Exported` (views stand below the library)."""
        return cls(
            target=target,
            out_dir=out_dir.as_posix(),
            files=tuple(
                WrittenFile(path=f.path.as_posix(), kind=f.kind, documents=f.documents)
                for f in files
            ),
            removed=tuple(path.as_posix() for path in removed),
            skipped=tuple(
                SkippedObject(type=s.address_type, key=s.key, reason=s.reason)
                for s in context.skipped
            ),
            adopted=tuple(context.adopted),
            warnings=tuple(str(warning) for warning in context.warnings),
            summary=summary,
        )


class TargetExport(BaseModel):
    model_config = _DOCUMENT

    target: str = Field(description="The reconcile.yaml target the live state was read from.")
    directory: str = Field(description="The target's own directory, relative to OUT_DIR.")
    skipped: tuple[SkippedObject, ...] = ()
    adopted: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class EnvironmentsExportDocument(BaseModel):
    """`export --layout environments --output json`: several targets into one repository."""

    model_config = _DOCUMENT

    format_version: int = format_version_field(EXPORT_FORMAT_VERSION)
    layout: Literal["environments"] = "environments"
    out_dir: str
    shared: str | None = Field(
        description="Where what every target holds alike was written, relative to OUT_DIR; "
        "null with one target."
    )
    targets: tuple[TargetExport, ...]
    files: tuple[WrittenFile, ...] = ()
    removed: tuple[str, ...] = ()
    differing: tuple[str, ...] = Field(
        (), description="Kind/name of the documents several targets hold differently."
    )
    summary: str

    @classmethod
    def of(
        cls,
        contexts: Mapping[str, ExportContext],
        files: Sequence[ExportedFile],
        removed: Sequence[Path],
        summary: str,
        *,
        out_dir: Path,
        shared: str | None,
        own: Mapping[str, str],
        differing: Sequence[str],
    ) -> EnvironmentsExportDocument:
        flat = {
            target: ExportDocument.of(context, (), (), summary, target=target, out_dir=out_dir)
            for target, context in contexts.items()
        }
        return cls(
            out_dir=out_dir.as_posix(),
            shared=shared,
            targets=tuple(
                TargetExport(
                    target=target,
                    directory=own[target],
                    skipped=document.skipped,
                    adopted=document.adopted,
                    warnings=document.warnings,
                )
                for target, document in flat.items()
            ),
            files=tuple(
                WrittenFile(path=f.path.as_posix(), kind=f.kind, documents=f.documents)
                for f in files
            ),
            removed=tuple(path.as_posix() for path in removed),
            differing=tuple(differing),
            summary=summary,
        )


class AdoptedObject(BaseModel):
    model_config = _DOCUMENT

    address: Address
    id: str = Field(description="The live object's id, now labelled managed-by: reconcile.")


class AdoptDocument(BaseModel):
    model_config = _DOCUMENT

    format_version: int = format_version_field(ADOPT_FORMAT_VERSION)
    adopted: tuple[AdoptedObject, ...] = ()

    @classmethod
    def of(cls, adopted: Sequence[Adoptable]) -> AdoptDocument:
        return cls(
            adopted=tuple(
                AdoptedObject(address=item.desired.address, id=item.live.id) for item in adopted
            )
        )
