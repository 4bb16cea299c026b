"""Loading `reconcile.yaml`, whose problems are reported like any manifest's."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NamedTuple

from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.loader import PROJECT_FILE_NAMES, read_file
from reconciler.manifests.parsing import secret_diagnostics, secret_locations, validate_model
from reconciler.manifests.project import Project

PROJECT_KIND = "Project"
MANIFESTS_UNCHECKED = (
    "; the manifests are checked once {name} loads, since it names the files that are not manifests"
)


class LoadedProject(NamedTuple):
    project: Project
    diagnostics: list[Diagnostic]
    # False when the file is no readable YAML: then not even which files are manifests is known.
    readable: bool = True


def load_project(root: Path) -> LoadedProject:
    """The project at `root` (defaults when there is no project file) and its problems."""
    path = next((root / name for name in PROJECT_FILE_NAMES if (root / name).is_file()), None)
    if path is None or not root.is_dir():
        return LoadedProject(Project(), [])
    loaded = read_file(path)
    diagnostics = loaded.diagnostics
    if not loaded.documents and diagnostics:
        note = MANIFESTS_UNCHECKED.format(name=path.name)
        unread = [dataclasses.replace(d, message=d.message + note) for d in diagnostics]
        return LoadedProject(Project(), _as_project(unread), readable=False)
    for document in loaded.documents:
        diagnostics.extend(secret_diagnostics(document))
    for extra in loaded.documents[1:]:
        diagnostics.append(
            Diagnostic(path, extra.start, "bad-project", "the project file holds one document")
        )
    if not loaded.documents:
        return LoadedProject(Project(), _as_project(diagnostics))
    document = loaded.documents[0]
    project, problems = validate_model(Project, document, secret_locations(document))
    if not isinstance(project, Project):
        project = _fallback_project(document.data)
    return LoadedProject(project, _as_project([*diagnostics, *problems]))


def _as_project(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [
        Diagnostic(d.file, d.position, d.code, d.message, PROJECT_KIND, d.file.name)
        for d in diagnostics
    ]


def _fallback_project(data: Any) -> Project:
    """What a broken project file still says about which files are not manifests: its
    `exclude` patterns and its targets' seed files, so its problems are not buried under
    those of files that were never manifests."""
    if not isinstance(data, dict):
        return Project()
    exclude = data.get("exclude")
    patterns = [p for p in exclude if isinstance(p, str)] if isinstance(exclude, list) else []
    targets = data.get("targets")
    declared = targets.values() if isinstance(targets, dict) else []
    seeds = [t["seed"] for t in declared if isinstance(t, dict) and isinstance(t.get("seed"), str)]
    return Project(exclude=[*patterns, *seeds])
