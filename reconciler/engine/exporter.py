"""Export: the live state as manifests, kind by kind, through the resource protocol.

Nothing here knows a particular kind. The exporter reads the kinds asked for and the kinds
they refer to (their names are needed for references), lets each kind turn its live objects
into manifest documents, and writes one file per kind with an editor modeline, plus the JSON
Schemas the modelines point at.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from reconciler.core.exporting import ExportContext
from reconciler.core.kind import NotExportable, Resource, Sources
from reconciler.core.live import Document
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


def write_manifests(
    context: ExportContext, directory: Path, schemas: Path | None = None
) -> list[ExportedFile]:
    """One file per kind, `<kind>.yaml`, whose modeline names the JSON Schemas written to
    `schemas` (by default `schemas/` next to them)."""
    return write_documents(context.documents, directory, schemas or directory / SCHEMAS_DIRECTORY)


def write_documents(
    by_type: Mapping[str, Sequence[Document]], directory: Path, schemas: Path
) -> list[ExportedFile]:
    directory.mkdir(parents=True, exist_ok=True)
    write_schemas(schemas)
    schemas_path = Path(os.path.relpath(schemas, directory)).as_posix()
    written = []
    for documents in by_type.values():
        if not documents:
            continue
        kind = documents[0]["kind"]
        path = directory / manifest_file_name(kind)
        # Live values are server text: cleaned like everything else that leaves.
        path.write_text(clean(_file_text(kind, documents, schemas_path)), encoding="utf-8")
        written.append(ExportedFile(path=path, kind=kind, documents=len(documents)))
    return written


# A document by its kind and metadata.name.
Handle = tuple[str, str]


@dataclass(frozen=True)
class Layout:
    """Several targets' exports as one repository: what every target holds alike, what each
    holds of its own, and the documents that several hold under one name but differently."""

    shared: dict[str, list[Document]]
    own: dict[str, dict[str, list[Document]]]
    differing: list[str]


def lift_shared(exports: Mapping[str, Mapping[str, Sequence[Document]]]) -> Layout:
    """Split the documents of each target (by address type) into those every target holds
    identically, lifted into the shared directory, and the rest, which stay each target's.

    A document is known by its kind and `metadata.name`; with one target nothing is lifted,
    since nothing is shown to be shared."""
    handles = [_handles(documents) for documents in exports.values()]
    shared_handles = (
        set.intersection(*(set(h) for h in handles)) if len(handles) > 1 else set[Handle]()
    )
    alike = {h for h in shared_handles if all(each[h] == handles[0][h] for each in handles)}
    shared: dict[str, list[Document]] = {}
    own: dict[str, dict[str, list[Document]]] = {target: {} for target in exports}
    for target, by_type in exports.items():
        for address_type, documents in by_type.items():
            for document in documents:
                lifted = _handle(document) in alike
                holder = shared if lifted else own[target]
                if lifted and target != next(iter(exports)):
                    continue  # the first target's copy stands for all
                holder.setdefault(address_type, []).append(document)
    return Layout(shared=shared, own=own, differing=_differing(handles))


def _differing(handles: Sequence[Mapping[Handle, Document]]) -> list[str]:
    """`Kind/name` of the documents that several targets hold, not all alike."""
    holders: dict[Handle, list[Document]] = {}
    for each in handles:
        for handle, held in each.items():
            holders.setdefault(handle, []).append(held)
    return sorted(
        f"{kind}/{name}"
        for (kind, name), held in holders.items()
        if any(other != held[0] for other in held[1:])
    )


def _handle(document: Document) -> Handle:
    return str(document["kind"]), str(document["metadata"]["name"])


def _handles(by_type: Mapping[str, Sequence[Document]]) -> dict[Handle, Document]:
    return {_handle(d): d for documents in by_type.values() for d in documents}


def _file_text(kind: str, documents: Iterable[object], schemas: str = SCHEMAS_DIRECTORY) -> str:
    modeline = f"# yaml-language-server: $schema={schemas}/{KINDS[kind].SCHEMA_FILE}\n"
    body = "---\n".join(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        for document in documents
    )
    return modeline + body
