"""Validate a manifest directory offline: every problem, at once, with its position."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.manifests.common import API_VERSION
from reconciler.manifests.diagnostics import Diagnostic, sorted_diagnostics
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.errors import ValidationFailed
from reconciler.manifests.field_errors import field_diagnostics
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.loader import (
    PROJECT_FILE_NAMES,
    SourceDocument,
    manifest_files,
    read_file,
)
from reconciler.manifests.manifest_set import LoadedManifest, ManifestSet
from reconciler.manifests.project import Project
from reconciler.manifests.rules import cross_document_diagnostics
from reconciler.manifests.secrets import literal_secrets

PROJECT_KIND = "Project"


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
    project, diagnostics = _load_project(root)
    files = manifest_files(root, project.exclude)
    documents: list[SourceDocument] = []
    for file in files:
        loaded = read_file(file)
        documents.extend(loaded.documents)
        diagnostics.extend(loaded.diagnostics)
    entries: list[LoadedManifest] = []
    for document in documents:
        manifest, problems = _parse_manifest(document)
        diagnostics.extend(problems)
        if manifest is not None:
            entries.append(manifest)
    diagnostics.extend(cross_document_diagnostics(documents, entries))
    ordered = tuple(sorted_diagnostics(diagnostics))
    manifest_set = None if ordered else ManifestSet(root, project, tuple(entries), tuple(files))
    return ValidationReport(root, tuple(files), len(documents), ordered, manifest_set)


def load_manifests(root: Path) -> ManifestSet:
    """The valid manifests of `root`; raises ValidationFailed listing every problem."""
    report = validate_directory(root)
    if report.manifests is None:
        raise ValidationFailed(list(report.diagnostics), report.summary())
    return report.manifests


def _load_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    path = next((root / name for name in PROJECT_FILE_NAMES if (root / name).is_file()), None)
    if path is None or not root.is_dir():
        return Project(), []
    loaded = read_file(path)
    diagnostics = loaded.diagnostics
    if len(loaded.documents) > 1:
        extra = loaded.documents[1]
        diagnostics.append(
            Diagnostic(path, extra.start, "bad-project", "the project file holds one document")
        )
    if not loaded.documents:
        return Project(), _as_project(diagnostics)
    document = loaded.documents[0]
    diagnostics.extend(_secret_diagnostics(document))
    project, problems = _validate(Project, document, _secret_locations(document))
    return (
        project if isinstance(project, Project) else _fallback_project(document.data),
        _as_project([*diagnostics, *problems]),
    )


def _as_project(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [
        Diagnostic(d.file, d.position, d.code, d.message, PROJECT_KIND, d.file.name)
        for d in diagnostics
    ]


def _fallback_project(data: Any) -> Project:
    # Keep a broken project file's exclusions so its problems are not buried under others.
    exclude = data.get("exclude") if isinstance(data, dict) else None
    if isinstance(exclude, list) and all(isinstance(item, str) for item in exclude):
        return Project(exclude=exclude)
    return Project()


def _parse_manifest(document: SourceDocument) -> tuple[LoadedManifest | None, list[Diagnostic]]:
    diagnostics = list(_secret_diagnostics(document))
    envelope = list(_envelope_diagnostics(document))
    diagnostics.extend(envelope)
    kind = KINDS.get(document.kind)
    if kind is None:
        return None, diagnostics
    hidden = _secret_locations(document) | ({("apiVersion",)} if envelope else set())
    manifest, problems = _validate(kind, document, hidden)
    diagnostics.extend(problems)
    if not isinstance(manifest, Manifest) or diagnostics:
        return None, diagnostics
    return LoadedManifest(manifest, document), diagnostics


def _validate(
    model: type[BaseModel], document: SourceDocument, hidden: set[tuple[Any, ...]]
) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate against `model`, dropping problems at `hidden` paths (already reported)."""
    try:
        return model.model_validate(document.data), []
    except ValidationError as error:
        problems = [
            diagnostic
            for diagnostic, loc in field_diagnostics(error, document, model)
            if loc not in hidden or diagnostic.code == "unknown-field"
        ]
        return None, problems


def _envelope_diagnostics(document: SourceDocument) -> Iterator[Diagnostic]:
    def problem(loc: tuple[str, ...], code: str, message: str) -> Diagnostic:
        position = document.positions.locate(loc, prefer_key=False)
        return Diagnostic(document.file, position, code, message, document.kind, document.name)

    data = document.data
    if not isinstance(data, dict):
        yield problem((), "not-a-mapping", "a manifest is a mapping with apiVersion, kind, ...")
        return
    if data.get("apiVersion") != API_VERSION:
        yield problem(("apiVersion",), "unknown-api-version", f"apiVersion must be {API_VERSION}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        close = get_close_matches(kind, list(KINDS), n=1) if isinstance(kind, str) else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield problem(("kind",), "unknown-kind", f"kind must be one of {', '.join(KINDS)}{hint}")


def _secret_diagnostics(document: SourceDocument) -> Iterator[Diagnostic]:
    for secret in literal_secrets(document):
        yield Diagnostic(
            document.file,
            secret.scalar.position,
            "literal-secret",
            f"'{secret.field_name}' holds {secret.description}; "
            "reference it as ${env:NAME} and keep the value out of git",
            document.kind,
            document.name,
        )


def _secret_locations(document: SourceDocument) -> set[tuple[Any, ...]]:
    return {secret.loc for secret in literal_secrets(document)}
