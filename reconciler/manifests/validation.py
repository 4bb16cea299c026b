"""Validate a manifest directory offline: every problem, at once, with its position."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.manifests.diagnostics import Diagnostic, sorted_diagnostics
from reconciler.manifests.discovery import manifest_files
from reconciler.manifests.errors import ValidationFailed
from reconciler.manifests.loader import SourceDocument, read_file
from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
from reconciler.manifests.parsing import parse_manifest
from reconciler.manifests.project_file import load_project
from reconciler.manifests.rules import cross_document_diagnostics


@dataclass(frozen=True)
class ValidationReport:
    """What `reconcile validate` found. `manifests` is set only when there is no problem."""

    root: Path
    files: tuple[Path, ...]
    documents: int
    diagnostics: tuple[Diagnostic, ...]
    manifests: ManifestSet | None

    @property
    def valid(self) -> bool:
        return not self.diagnostics

    def summary(self) -> str:
        files = _plural(len(self.files), "file")
        if self.valid:
            return f"{_plural(self.documents, 'document')} in {files}: valid"
        broken = len({d.file for d in self.diagnostics})
        return f"{_plural(len(self.diagnostics), 'error')} in {_plural(broken, 'file')}"

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": [diagnostic.to_json(base) for diagnostic in self.diagnostics],
            "summary": {
                "files": len(self.files),
                "documents": self.documents,
                "errors": len(self.diagnostics),
                "errors_by_code": dict(sorted(Counter(d.code for d in self.diagnostics).items())),
            },
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def validate_directory(root: Path) -> ValidationReport:
    """Validate `root` (a directory, or a single manifest file) and report every problem."""
    project, diagnostics, readable = load_project(root)
    if not readable:
        # Without the project file's exclusions any YAML file would be taken for a manifest.
        return ValidationReport(root, (), 0, tuple(sorted_diagnostics(diagnostics)), None)
    found = manifest_files(root, project.not_manifests)
    files = found.files
    diagnostics.extend(found.problems)
    documents: list[SourceDocument] = []
    for file in files:
        loaded = read_file(file)
        documents.extend(loaded.documents)
        diagnostics.extend(loaded.diagnostics)
    entries: list[LoadedManifest] = []
    for document in documents:
        manifest, problems = parse_manifest(document)
        diagnostics.extend(problems)
        if manifest is not None:
            entries.append(manifest)
    diagnostics.extend(cross_document_diagnostics(documents, entries))
    ordered = tuple(sorted_diagnostics(diagnostics))
    manifest_set = (
        None
        if ordered
        else ManifestSet(root, project, tuple(e.validated() for e in entries), tuple(files))
    )
    return ValidationReport(root, tuple(files), len(documents), ordered, manifest_set)


def load_manifests(root: Path) -> ManifestSet:
    """The valid manifests of `root`; raises ValidationFailed listing every problem."""
    report = validate_directory(root)
    if report.manifests is None:
        raise ValidationFailed(list(report.diagnostics), report.summary())
    return report.manifests
