"""Validate a manifest directory offline: every problem, at once, with its position."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.manifests.advice import manifest_warnings
from reconciler.manifests.common import API_VERSION
from reconciler.manifests.diagnostics import START, Diagnostic, sorted_diagnostics
from reconciler.manifests.discovery import excluded_by, manifest_files
from reconciler.manifests.errors import ValidationFailed
from reconciler.manifests.gc_tuning import collector_tuned_for_loading
from reconciler.manifests.loader import SourceDocument, read_file
from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
from reconciler.manifests.parsing import parse_manifest
from reconciler.manifests.project import Project
from reconciler.manifests.project_file import load_project, project_directory
from reconciler.manifests.rules import cross_document_diagnostics, with_unmanaged_default

NO_MANIFESTS = "no-manifests"


@dataclass(frozen=True)
class ValidationReport:
    """What `reconcile validate` found. `manifests` is set only when there is no problem."""

    root: Path
    files: tuple[Path, ...]
    documents: int
    diagnostics: tuple[Diagnostic, ...]
    manifests: ManifestSet | None
    # Advice on valid manifests (`manifests.advice`): printed, never a failure.
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.diagnostics

    def summary(self) -> str:
        if [d.code for d in self.diagnostics] == [NO_MANIFESTS]:
            return "no manifests found"
        files = _plural(len(self.files), "file")
        if self.valid:
            advice = f" ({_plural(len(self.warnings), 'warning')})" if self.warnings else ""
            return f"{_plural(self.documents, 'document')} in {files}: valid{advice}"
        broken = len({d.file for d in self.diagnostics})
        return f"{_plural(len(self.diagnostics), 'error')} in {_plural(broken, 'file')}"

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": [diagnostic.to_json(base) for diagnostic in self.diagnostics],
            "warnings": [diagnostic.to_json(base) for diagnostic in self.warnings],
            "summary": {
                "files": len(self.files),
                "documents": self.documents,
                "errors": len(self.diagnostics),
                "warnings": len(self.warnings),
                "errors_by_code": dict(sorted(Counter(d.code for d in self.diagnostics).items())),
            },
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@collector_tuned_for_loading()
def validate_directory(root: Path) -> ValidationReport:
    """Validate `root` (a directory, or a single manifest file) and report every problem.

    The project file is looked for from `root` upwards (`project_directory`)."""
    base = project_directory(root)
    project, diagnostics, readable = load_project(base)
    if excluded_by(base, root, project.not_manifests):
        # Files a project excludes are not its manifests, nor is it their project.
        base = root if root.is_dir() else root.parent
        project, diagnostics, readable = Project(), [], True
    if not readable:
        # Without the project file's exclusions any YAML file would be taken for a manifest.
        return ValidationReport(root, (), 0, tuple(sorted_diagnostics(diagnostics)), None)
    found = manifest_files(root, project.not_manifests, base)
    files = found.files
    diagnostics.extend(found.problems)
    documents: list[SourceDocument] = []
    for file in files:
        loaded = read_file(file)
        documents.extend(loaded.documents)
        diagnostics.extend(loaded.diagnostics)
    if not documents and not diagnostics:
        # An empty directory is a mistaken path far more often than a wish to own nothing.
        diagnostics.append(_no_manifests(root))
    entries: list[LoadedManifest] = []
    for document in documents:
        manifest, problems = parse_manifest(document)
        diagnostics.extend(problems)
        if manifest is not None:
            entries.append(manifest)
    diagnostics.extend(cross_document_diagnostics(documents, entries))
    if not project.manages_default_profile:
        diagnostics = with_unmanaged_default(diagnostics, entries)
    ordered = tuple(sorted_diagnostics(diagnostics))
    manifest_set = (
        None
        if ordered
        else ManifestSet(
            root, project, tuple(e.validated() for e in entries), tuple(files), project_dir=base
        )
    )
    warnings = tuple(sorted_diagnostics(list(manifest_warnings(entries)))) if manifest_set else ()
    return ValidationReport(root, tuple(files), len(documents), ordered, manifest_set, warnings)


def _no_manifests(root: Path) -> Diagnostic:
    message = f"no manifests found in {root} (YAML files of apiVersion {API_VERSION})"
    return Diagnostic(root, START, NO_MANIFESTS, message, "Directory", root.name or ".")


def load_manifests(root: Path) -> ManifestSet:
    """The valid manifests of `root`; raises ValidationFailed listing every problem."""
    report = validate_directory(root)
    if report.manifests is None:
        raise ValidationFailed(list(report.diagnostics), report.summary())
    return report.manifests
