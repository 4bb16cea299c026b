"""Export: the live state as manifests, kind by kind, through the resource protocol.

Nothing here knows a particular kind. The exporter reads the kinds asked for and the kinds
they refer to (their names are needed for references), lets each kind turn its live objects
into manifest documents, and writes one file per kind with an editor modeline, plus the JSON
Schemas the modelines point at.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from reconciler.core.exporting import ExportContext
from reconciler.core.kind import NotExportable, Resource, Sources
from reconciler.core.read_pool import ReadPool
from reconciler.core.safe_output import clean
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.schemas import write_schemas

SCHEMAS_DIRECTORY = "schemas"


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    kind: str
    documents: int


def export_live(
    resources: Sequence[Resource],
    sources: Sources,
    selected: Collection[str],
    manifest_types: Collection[str],
    *,
    manages_default_profile: bool = True,
) -> ExportContext:
    """Manifest documents for the live objects of the `selected` address types.

    `manifest_types` are the address types that have a manifest kind; the others (organization
    settings) add to the documents of the kinds they refer to.
    """
    needed = _needed(resources, selected, manifest_types)
    chosen = [r for r in resources if r.address_type in needed]
    with ReadPool(len(chosen) or 1, "export") as pool:
        reads = {r.address_type: pool.submit(r.read_for_export, sources) for r in chosen}
        context = ExportContext(
            live={kind: read.result() for kind, read in reads.items()},
            manages_default_profile=manages_default_profile,
        )
    for resource in chosen:
        try:
            resource.export(context)
        except NotExportable:
            if resource.address_type in selected:
                raise
    context.documents = {k: v for k, v in context.documents.items() if k in selected}
    context.skipped = [s for s in context.skipped if s.address_type in selected]
    context.warnings = [w for w in context.warnings if w.address_type in selected]
    return context


def _needed(
    resources: Sequence[Resource], selected: Collection[str], manifest_types: Collection[str]
) -> set[str]:
    """The selected kinds, what they refer to, and the settings that add to them."""
    by_type = {r.address_type: r for r in resources}
    needed: set[str] = set()
    pending = list(selected)
    while pending:
        address_type = pending.pop()
        if address_type not in needed:
            needed.add(address_type)
            pending += by_type[address_type].refers_to
    settings = {
        r.address_type
        for r in resources
        if r.address_type not in manifest_types and set(r.refers_to) & set(selected)
    }
    return needed | settings


def _file_stem(kind: str) -> str:
    return KINDS[kind].SCHEMA_FILE.removesuffix(".json")


def manifest_file_name(kind: str) -> str:
    """The file `write_manifests` gives the documents of `kind` (`tax-code.yaml`)."""
    return f"{_file_stem(kind)}.yaml"


def write_manifests(context: ExportContext, directory: Path) -> list[ExportedFile]:
    """One file per kind, `<kind>.yaml` next to `schemas/` (what its modeline names)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_schemas(directory / SCHEMAS_DIRECTORY)
    written = []
    for documents in context.documents.values():
        if not documents:
            continue
        kind = documents[0]["kind"]
        path = directory / manifest_file_name(kind)
        # Live values are server text: cleaned like everything else that leaves.
        path.write_text(clean(_file_text(kind, documents)), encoding="utf-8")
        written.append(ExportedFile(path=path, kind=kind, documents=len(documents)))
    return written


def _file_text(kind: str, documents: Iterable[object]) -> str:
    modeline = f"# yaml-language-server: $schema={SCHEMAS_DIRECTORY}/{KINDS[kind].SCHEMA_FILE}\n"
    body = "---\n".join(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        for document in documents
    )
    return modeline + body
