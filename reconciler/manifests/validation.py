"""Validate a manifest directory offline: every problem, at once, with its position."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.manifests.advice import manifest_warnings
from reconciler.manifests.common import API_VERSION
from reconciler.manifests.diagnostics import START, Diagnostic, sorted_diagnostics
from reconciler.manifests.discovery import excluded_by, manifest_files, selected_files
from reconciler.manifests.errors import ValidationFailed
from reconciler.manifests.gc_tuning import collector_tuned_for_loading
from reconciler.manifests.loader import SourceDocument, read_file
from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
from reconciler.manifests.parsing import parse_manifest
from reconciler.manifests.project import Project
from reconciler.manifests.project_file import load_project, project_directory
from reconciler.manifests.rules import cross_document_diagnostics, with_unmanaged_default
from reconciler.manifests.target_view import (
    TargetView,
    mode_diagnostics,
    path_diagnostics,
    view_of,
    views_of,
)
from reconciler.manifests.variables import VAR_CODES, VarUse, attribute, substitute

NO_MANIFESTS = "no-manifests"


@dataclass(frozen=True)
class ValidationReport:
    """What `reconcile validate` found. `manifests` is set only when there is no problem."""

    root: Path
    files: tuple[Path, ...]
    documents: int
    diagnostics: tuple[Diagnostic, ...]
    manifests: ManifestSet | None
    # The target whose view was validated; None: the directory, no target chosen.
    target: str | None = None
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

    def counts(self) -> dict[str, Any]:
        """The summary's counts, as the JSON output gives them."""
        return {
            "files": len(self.files),
            "documents": self.documents,
            "errors": len(self.diagnostics),
            "warnings": len(self.warnings),
            "errors_by_code": dict(sorted(Counter(d.code for d in self.diagnostics).items())),
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class _Project:
    """The project a directory belongs to, where its file is, and that file's problems."""

    base: Path
    project: Project
    diagnostics: list[Diagnostic]
    readable: bool


def _project_of(root: Path) -> _Project:
    """The project file is looked for from `root` upwards (`project_directory`)."""
    base = project_directory(root)
    project, diagnostics, readable = load_project(base)
    if excluded_by(base, root, project.not_manifests):
        # Files a project excludes are not its manifests, nor is it their project.
        return _Project(root if root.is_dir() else root.parent, Project(), [], True)
    return _Project(base, project, diagnostics, readable)


@collector_tuned_for_loading()
def validate_directory(root: Path, target: str | None = None) -> ValidationReport:
    """Validate what `target` (by default the project's default target) sees of `root` (a
    directory, or a single manifest file) and report every problem.

    A target that lists its manifests reads those, relative to the project file's directory,
    whatever `root` is below it; its vars are put in place first. Raises UnknownTarget, or
    TargetNeeded when the project's targets read different manifests and none is named."""
    found = _project_of(root)
    return _validate_view(root, found, view_of(found.project, target))


@collector_tuned_for_loading()
def validate_targets(root: Path) -> list[ValidationReport]:
    """What each target of the project sees of `root`, each validated on its own."""
    found = _project_of(root)
    return [_validate_view(root, found, view) for view in views_of(found.project)]


def _validate_view(root: Path, found: _Project, view: TargetView) -> ValidationReport:
    base, project = found.base, found.project
    diagnostics = list(found.diagnostics)
    if not found.readable:
        # Without the project file's exclusions any YAML file would be taken for a manifest.
        ordered = tuple(sorted_diagnostics(diagnostics))
        return ValidationReport(root, (), 0, ordered, None, view.target)
    if view.paths is None:
        listed = manifest_files(root, project.not_manifests, base)
    else:
        listed = selected_files(base, view.paths, project.not_manifests)
        diagnostics.extend(path_diagnostics(base, view))
    files = listed.files
    diagnostics.extend(listed.problems)
    documents: list[SourceDocument] = []
    uses: list[VarUse] = []
    for file in files:
        loaded = read_file(file)
        diagnostics.extend(loaded.diagnostics)
        for document in loaded.documents:
            substituted = substitute(document, view.variables, view.target)
            documents.append(substituted.document)
            uses.extend(substituted.uses)
            diagnostics.extend(substituted.diagnostics)
    if view.target is None and found.diagnostics:
        # The project file is broken, so which target (and vars) was meant is unknown.
        diagnostics = [d for d in diagnostics if d.code not in VAR_CODES]
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
    diagnostics.extend(mode_diagnostics(view, entries))
    if not project.manages_default_profile:
        diagnostics = with_unmanaged_default(diagnostics, entries)
    ordered = tuple(sorted_diagnostics(list(attribute(diagnostics, uses, view.target))))
    manifest_set = (
        None
        if ordered
        else ManifestSet(
            root,
            project,
            tuple(e.validated() for e in entries),
            tuple(files),
            project_dir=base,
            target=view.target,
        )
    )
    warnings = tuple(sorted_diagnostics(list(manifest_warnings(entries)))) if manifest_set else ()
    return ValidationReport(
        root, tuple(files), len(documents), ordered, manifest_set, view.target, warnings
    )


def _no_manifests(root: Path) -> Diagnostic:
    message = f"no manifests found in {root} (YAML files of apiVersion {API_VERSION})"
    return Diagnostic(root, START, NO_MANIFESTS, message, "Directory", root.name or ".")


def load_manifests(root: Path, target: str | None = None) -> ManifestSet:
    """The valid manifests of `root` as `target` (default: the project's default target) sees
    them; raises ValidationFailed listing every problem."""
    report = validate_directory(root, target)
    if report.manifests is None:
        raise ValidationFailed(list(report.diagnostics), report.summary())
    return report.manifests
