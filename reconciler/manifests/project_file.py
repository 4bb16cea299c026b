"""Loading `reconcile.yaml`, whose problems are reported like any manifest's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.loader import PROJECT_FILE_NAMES, SourceDocument, read_file
from reconciler.manifests.parsing import secret_diagnostics, validate_model
from reconciler.manifests.project import Project, SandboxTarget
from reconciler.manifests.secrets import literal_secrets

PROJECT_KIND = "Project"
MANIFESTS_UNCHECKED = (
    "; the manifests are checked once {name} loads, since it names the files that are not manifests"
)


class LoadedProject(NamedTuple):
    project: Project
    diagnostics: list[Diagnostic]
    # False when the file is no readable YAML: then not even which files are manifests is known.
    readable: bool = True


def project_directory(start: Path) -> Path:
    """Where the project file of `start` (a directory or a manifest file) lies: the first
    directory holding one, walking up to the repository root (the directory holding `.git`)
    or the filesystem root, as git finds its own; `start` itself when there is none."""
    first = start if start.is_dir() else start.parent
    for directory in [first, *first.resolve().parents]:
        if any(_present(directory / name) for name in PROJECT_FILE_NAMES):
            return first if directory == first else directory
        if _present(directory / ".git"):
            break
    return first


def load_project(root: Path) -> LoadedProject:
    """The project at `root` (defaults when there is no project file) and its problems."""
    # A project file that is there but cannot be read (a broken link, say) is an error, not
    # an absent file: without it, files it excludes would be taken for manifests.
    path = next((root / name for name in PROJECT_FILE_NAMES if _present(root / name)), None)
    if path is None or not root.is_dir():
        return LoadedProject(Project(), [])
    loaded = read_file(path)
    diagnostics = loaded.diagnostics
    if not loaded.documents and diagnostics:
        note = MANIFESTS_UNCHECKED.format(name=path.name)
        unread = [dataclasses.replace(d, message=d.message + note) for d in diagnostics]
        return LoadedProject(Project(), _as_project(unread), readable=False)
    secrets = [literal_secrets(document) for document in loaded.documents]
    for document, found in zip(loaded.documents, secrets, strict=True):
        diagnostics.extend(secret_diagnostics(document, found))
    for extra in loaded.documents[1:]:
        diagnostics.append(
            Diagnostic(path, extra.start, "bad-project", "the project file holds one document")
        )
    if not loaded.documents:
        return LoadedProject(Project(), _as_project(diagnostics))
    document = loaded.documents[0]
    hidden: set[tuple[Any, ...]] = {secret.loc for secret in secrets[0]}
    project, problems = validate_model(Project, document, hidden)
    if not isinstance(project, Project):
        project = _fallback_project(document.data)
    else:
        problems.extend(_seed_diagnostics(root, project, document))
    return LoadedProject(project, _as_project([*diagnostics, *problems]))


def _present(path: Path) -> bool:
    return path.is_symlink() or path.exists()


def _seed_diagnostics(
    root: Path, project: Project, document: SourceDocument
) -> Iterator[Diagnostic]:
    """Seed files that are no file inside the project, as its model cannot tell from the
    path alone: missing ones, and those a symbolic link takes outside."""
    for name, target in project.targets.items():
        if not isinstance(target, SandboxTarget) or target.seed is None:
            continue
        problem = _seed_problem(root, target.seed)
        if problem is not None:
            position = document.positions.locate(("targets", name, "seed"), prefer_key=False)
            message = f"targets.{name}.seed: {problem}"
            yield Diagnostic(document.file, position, "seed-path", message)


def _seed_problem(root: Path, seed: str) -> str | None:
    try:
        resolved = (root / seed).resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return "no such file, relative to the manifest root"
    if not resolved.is_relative_to(root.resolve()):
        return "must be a file inside the project; a symbolic link takes this path outside it"
    if not resolved.is_file():
        return "must be a file, not a directory"
    return None


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
