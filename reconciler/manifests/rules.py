"""Rules across documents: duplicates, dangling references and each kind's collection rules."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from reconciler.manifests.billing_profile import DEFAULT_PROFILE, BillingProfile
from reconciler.manifests.common import is_manifest_name
from reconciler.manifests.diagnostics import UNKNOWN, Diagnostic
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.loader import SourceDocument
from reconciler.manifests.manifest_set import LoadedManifest
from reconciler.manifests.references import Location


def cross_document_diagnostics(
    documents: Sequence[SourceDocument], entries: Sequence[LoadedManifest]
) -> Iterator[Diagnostic]:
    """Problems between documents. Names come from every document, valid or not, so that a
    broken document is neither a dangling reference nor hides a duplicate name."""
    declared = _declared_names(documents)
    yield from _duplicate_names(documents)
    yield from _dangling_references(documents, declared)
    # A document that repeats a name is already reported; checking it again adds only noise.
    firsts = _first_of_each_name(entries)
    yield from _duplicate_values(firsts)
    yield from _collection_rules(firsts)


def _first_of_each_name(entries: Sequence[LoadedManifest]) -> list[LoadedManifest]:
    seen: set[tuple[str, str]] = set()
    firsts = []
    for entry in entries:
        handle = (entry.manifest.KIND, entry.manifest.name)
        if handle not in seen:
            seen.add(handle)
            firsts.append(entry)
    return firsts


def _at(entry: LoadedManifest, loc: Location, code: str, message: str) -> Diagnostic:
    source = entry.source
    position = source.positions.locate(loc, prefer_key=False)
    manifest = entry.manifest
    return Diagnostic(source.file, position, code, message, manifest.KIND, manifest.name)


def _declared_names(documents: Sequence[SourceDocument]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for document in documents:
        if document.kind in names and document.name != UNKNOWN:
            names[document.kind].append(document.name)
    return names


def _duplicate_names(documents: Sequence[SourceDocument]) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str], SourceDocument] = {}
    for document in documents:
        handle = (document.kind, document.name)
        if document.kind not in KINDS or document.name == UNKNOWN:
            continue
        if handle in first:
            where = first[handle].where(("metadata", "name"))
            yield Diagnostic(
                document.file,
                document.positions.locate(("metadata", "name"), prefer_key=False),
                "duplicate-name",
                f"another {handle[0]} is named '{handle[1]}' ({where})",
                document.kind,
                document.name,
            )
        first.setdefault(handle, document)


def _dangling_references(
    documents: Sequence[SourceDocument], declared: dict[str, list[str]]
) -> Iterator[Diagnostic]:
    # Read from the raw documents, so a document with other problems still has its
    # references checked: every problem is reported in one run.
    for document in documents:
        kind = KINDS.get(document.kind)
        for field in kind.REFERENCE_FIELDS if kind else ():
            name = field.value_in(document.data)
            names = declared.get(field.kind, [])
            # A malformed name is already reported by field validation.
            if name is None or name in names or not is_manifest_name(name):
                continue
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Diagnostic(
                document.file,
                document.positions.locate(field.loc, prefer_key=False),
                "dangling-reference",
                f"no {field.kind} named '{name}' is declared{hint}",
                document.kind,
                document.name,
            )


def _duplicate_values(entries: Sequence[LoadedManifest]) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str], LoadedManifest] = {}
    for entry in entries:
        for unique in entry.manifest.unique_values():
            claim = (unique.scope, unique.value)
            if claim in first:
                owner = first[claim]
                yield _at(
                    entry,
                    unique.loc,
                    "duplicate-value",
                    f"{unique.scope} '{unique.value}' is already declared by "
                    f"{owner.manifest.KIND}/{owner.manifest.name} ({owner.where()})",
                )
            first.setdefault(claim, entry)


def _collection_rules(entries: Sequence[LoadedManifest]) -> Iterator[Diagnostic]:
    for kind in KINDS.values():
        of_kind = [entry for entry in entries if isinstance(entry.manifest, kind)]
        for finding in kind.collection_findings([entry.manifest for entry in of_kind]):
            yield _at(of_kind[finding.document_index], finding.loc, finding.code, finding.message)


UNMANAGED_DEFAULT = (
    "reconcile.yaml leaves the default billing profile unmanaged (`default_profile: "
    "unmanaged`): no profile may set `default: true`"
)


def with_unmanaged_default(
    diagnostics: Sequence[Diagnostic], entries: Sequence[LoadedManifest]
) -> list[Diagnostic]:
    """The diagnostics of a project that leaves the default profile to someone else: no
    profile need be the default, and none may claim to be."""
    kept = [d for d in diagnostics if d.code != DEFAULT_PROFILE]
    for entry in _first_of_each_name(entries):
        manifest = entry.manifest
        if isinstance(manifest, BillingProfile) and manifest.spec.default:
            kept.append(_at(entry, ("spec", "default"), DEFAULT_PROFILE, UNMANAGED_DEFAULT))
    return kept
