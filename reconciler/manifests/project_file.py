"""Loading `reconcile.yaml`, whose problems are reported like any manifest's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.loader import PROJECT_FILE_NAMES, read_file
from reconciler.manifests.parsing import secret_diagnostics, secret_locations, validate_model
from reconciler.manifests.project import Project

PROJECT_KIND = "Project"


def load_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    """The project at `root` (defaults when there is no project file) and its problems."""
    path = next((root / name for name in PROJECT_FILE_NAMES if (root / name).is_file()), None)
    if path is None or not root.is_dir():
        return Project(), []
    loaded = read_file(path)
    diagnostics = loaded.diagnostics
    for document in loaded.documents:
        diagnostics.extend(secret_diagnostics(document))
    for extra in loaded.documents[1:]:
        diagnostics.append(
            Diagnostic(path, extra.start, "bad-project", "the project file holds one document")
        )
    if not loaded.documents:
        return Project(), _as_project(diagnostics)
    document = loaded.documents[0]
    project, problems = validate_model(Project, document, secret_locations(document))
    if not isinstance(project, Project):
        project = _fallback_project(document.data)
    return project, _as_project([*diagnostics, *problems])


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
