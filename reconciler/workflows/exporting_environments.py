"""`export --layout environments`: the live worlds of several targets as one repository.

A target that lists its manifests (`manifests: [common/, staging/]`) has a directory of its
own, the one no other target lists, and shares the others. Export reads each target's world,
lifts the documents every target holds identically into the directory they all list
(`common/`), writes the rest into each target's own directory, and names the documents that
several targets hold differently. A target exported alone writes into its own directory
what its other directories (`common/`) do not already hold as it is.

As a flat export does, it stages everything first and validates what each target will see
there (the directories it writes, next to what the project already holds in the others): an
export that would not load leaves OUT_DIR as it was. OUT_DIR is by default the project's own
directory, whose `reconcile.yaml` is then left as it is; the directories written must be empty
unless `force`, which replaces the kind files there and keeps every other file.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.core.exporting import ExportContext
from reconciler.core.live import Document
from reconciler.core.safe_output import copy_privately, make_private_directory
from reconciler.engine.applying.lock import STATE_DIRECTORY
from reconciler.engine.exporter import (
    SCHEMAS_DIRECTORY,
    ExportedFile,
    export_live,
    lift_shared,
    write_documents,
)
from reconciler.kinds import KIND_ADDRESS_TYPES, RESOURCES
from reconciler.manifests import Project, ValidationFailed, validate_directory
from reconciler.manifests.discovery import GLOB_CHARACTERS, MANIFEST_SUFFIXES, manifest_files
from reconciler.manifests.loader import SourceDocument, read_file
from reconciler.manifests.validation import NO_MANIFESTS
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.exporting import (
    ExportRefused,
    as_in,
    copy_project,
    ignore_state,
    own_file_names,
    project_of,
    refuse_links_leading_outside,
)
from reconciler.workflows.options import DEFAULT_OPTIONS, Options


@dataclass(frozen=True)
class ExportedEnvironments:
    """What an export into an environment layout wrote, per target and shared."""

    contexts: dict[str, ExportContext]
    files: list[ExportedFile]
    removed: list[Path]
    # Where what every target holds alike went (relative to OUT_DIR); None with one target.
    shared: str | None
    own: dict[str, str]
    # `Kind/name` of the documents several targets hold under one name, differently.
    differing: list[str]
    summary: str


def export_environments(
    directory: Path,
    out_dir: Path | None = None,
    targets: Sequence[str] = (),
    options: Options = DEFAULT_OPTIONS,
    *,
    kinds: Sequence[str] = (),
    force: bool = False,
    events: Events | None = None,
) -> ExportedEnvironments:
    """Export `targets` (default: every target with a directory of its own) of the project in
    `directory` into `out_dir` (default: `directory`) as an environment layout."""
    manifests = project_of(directory)
    project = manifests.project
    out_dir = out_dir or directory
    chosen = list(targets) or [name for name in project.targets if _listing(project, name)]
    if not chosen:
        raise ExportRefused(
            "no target in reconcile.yaml lists its manifests (`manifests: [common/, staging/]`): "
            "list them, or export one target into OUT_DIR"
        )
    own = {target: own_directory(project, target) for target in chosen}
    shared = _shared_directory(project, chosen) if len(chosen) > 1 else None
    written = [*own.values(), *([shared] if shared else [])]
    _refuse_unless_forced(directory, out_dir, written, force=force)
    exported_kinds = list(kinds) or list(KIND_ADDRESS_TYPES)
    selected = [KIND_ADDRESS_TYPES[kind] for kind in exported_kinds]
    contexts: dict[str, ExportContext] = {}
    for target in chosen:
        per_target = dataclasses.replace(options, target=target)
        with connected(manifests, per_target.target, events or Events()) as connection:
            contexts[target] = export_live(
                RESOURCES, connection.sources, selected, list(KIND_ADDRESS_TYPES.values())
            )
    layout = lift_shared({target: contexts[target].documents for target in chosen})
    own_names = own_file_names(exported_kinds)
    with_project = out_dir.resolve() != directory.resolve()
    with tempfile.TemporaryDirectory(prefix="reconcile-export-") as staging:
        staged = Path(staging)
        copy_project(directory, staged, manifests)
        _copy_listed(out_dir, staged, project, chosen, written, own_names)
        schemas = staged / SCHEMAS_DIRECTORY
        files = write_documents(layout.shared, staged / shared, schemas) if shared else []
        for target in chosen:
            documents = _not_held_yet(staged, project, target, layout.own[target])
            files += write_documents(documents, staged / own[target], schemas)
        summary = _check_staged(staged, out_dir, chosen, partial=bool(kinds))
        listed = [path for target in chosen for path in _plain_paths(project, target)]
        removed = _publish(
            staged, out_dir, [*written, *listed], own_names, with_project=with_project
        )
    moved = [dataclasses.replace(f, path=out_dir / f.path.relative_to(staged)) for f in files]
    return ExportedEnvironments(
        contexts=contexts,
        files=moved,
        removed=removed,
        shared=shared,
        own=own,
        differing=layout.differing,
        summary=summary,
    )


def _plain_paths(project: Project, target: str) -> list[str]:
    """The directories and files a target lists by name (not by glob)."""
    listed = project.target(target).manifests or []
    return [path.rstrip("/") for path in listed if GLOB_CHARACTERS.isdisjoint(path)]


def _listing(project: Project, target: str) -> bool:
    return project.targets[target].manifests is not None


def own_directory(project: Project, target: str) -> str:
    """The directory of the target's manifests that no other target lists (of several, the
    one named after the target)."""
    if target not in project.all_targets:
        raise project.unknown_target(target)
    if project.target(target).manifests is None:
        raise ExportRefused(
            f"target {target!r} reads the whole directory: list its manifests in reconcile.yaml "
            f"(`manifests: [common/, {target}/]`) to export into its directory, or give OUT_DIR"
        )
    others = {
        path for name in project.targets if name != target for path in _plain_paths(project, name)
    }
    own = [path for path in _plain_paths(project, target) if path not in others]
    named = [path for path in own if Path(path).name == target]
    own = named or own
    if len(own) != 1:
        raise ExportRefused(
            f"target {target!r} lists {len(own)} directories no other target lists, and export "
            "writes into exactly one: list one of its own (e.g. "
            f"`manifests: [common/, {target}/]`)"
        )
    return own[0]


def _shared_directory(project: Project, targets: Sequence[str]) -> str:
    """The first directory every target lists: where what they hold alike goes."""
    first, *others = targets
    for path in _plain_paths(project, first):
        if all(path in _plain_paths(project, other) for other in others):
            return path
    raise ExportRefused(
        f"the targets {', '.join(targets)} list no directory in common to lift what they "
        "share into: list one, e.g. common/, in each target's manifests"
    )


def _refuse_unless_forced(
    directory: Path, out_dir: Path, written: list[str], *, force: bool
) -> None:
    if force:
        return
    elsewhere = out_dir.resolve() != directory.resolve()
    if elsewhere and out_dir.exists() and any(out_dir.iterdir()):
        raise ExportRefused(f"{out_dir} is not empty; choose another directory or pass --force")
    for path in written:
        target_directory = out_dir / path
        if target_directory.is_dir() and any(target_directory.iterdir()):
            raise ExportRefused(
                f"{target_directory} is not empty; pass --force to replace the files export "
                "writes there (other files are kept)"
            )


def _copy_listed(
    out_dir: Path,
    staged: Path,
    project: Project,
    targets: Sequence[str],
    written: list[str],
    own_names: list[str],
) -> None:
    """What OUT_DIR already holds in the paths the targets list, so that the staged export is
    validated next to it; the files export writes in its directories are left out, and the
    directories listed but not made yet are made."""
    listed = {path for target in targets for path in _plain_paths(project, target)}
    for path in sorted(listed):
        source = out_dir / path
        if source.is_file():
            (staged / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, staged / path)
        elif source.is_dir() or Path(path).suffix not in MANIFEST_SUFFIXES:
            # A directory not made yet is made: each target's view must load once written.
            (staged / path).mkdir(parents=True, exist_ok=True)
            if not source.is_dir():
                continue
            replaced = own_names if path in written else []
            shutil.copytree(
                source,
                staged / path,
                dirs_exist_ok=True,
                ignore=lambda folder, names, at=source, skip=replaced: [
                    name for name in names if Path(folder) == at and name in skip
                ],
            )


def _not_held_yet(
    staged: Path, project: Project, target: str, by_type: Mapping[str, Sequence[Document]]
) -> dict[str, list[Document]]:
    """The target's documents but those its other directories (`common/`) already hold as
    they are: exported alone, a target leaves what it shares where it is."""
    own = own_directory(project, target)
    held = {
        _canonical(document.data)
        for path in _plain_paths(project, target)
        if path != own
        for document in _documents_under(staged / path)
    }
    return {
        address_type: [d for d in documents if _canonical(d) not in held]
        for address_type, documents in by_type.items()
    }


def _documents_under(path: Path) -> list[SourceDocument]:
    files = [path] if path.is_file() else manifest_files(path).files if path.is_dir() else []
    return [document for file in files for document in read_file(file).documents]


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def _check_staged(staged: Path, out_dir: Path, targets: Sequence[str], *, partial: bool) -> str:
    """What each target will see must load; paths of targets not exported may be missing."""
    allowed = {NO_MANIFESTS, "manifest-path", *(["dangling-reference"] if partial else [])}
    summaries = []
    problems = []
    for target in targets:
        report = validate_directory(staged, target)
        problems += [d for d in report.diagnostics if d.code not in allowed]
        summaries.append(f"target {target}: {report.summary()}")
    if problems:
        raise ValidationFailed(
            sorted({as_in(out_dir, staged, d) for d in problems}, key=lambda d: d.sort_key()),
            f"{len(problems)} problem(s) in the exported manifests; nothing was written to "
            f"{out_dir}",
        )
    return "; ".join(summaries)


def _publish(
    staged: Path, out_dir: Path, written: list[str], own_names: list[str], *, with_project: bool
) -> list[Path]:
    """Make OUT_DIR's written directories (and its schemas, and with `with_project` its
    project file and seeds) hold the staged export."""
    refuse_links_leading_outside(staged, out_dir)
    make_private_directory(out_dir)
    removed = [
        out_dir / path / name
        for path in dict.fromkeys(written)
        for name in own_names
        if not (staged / path / name).exists() and (out_dir / path / name).is_file()
    ]
    for path in removed:
        path.unlink()
    tops = [Path(path) for path in [*written, SCHEMAS_DIRECTORY]]
    for source in sorted(staged.rglob("*")):
        relative = source.relative_to(staged)
        if relative.parts[0] == STATE_DIRECTORY.name:
            continue
        if not with_project and not any(relative.is_relative_to(top) for top in tops):
            continue
        if source.is_dir():
            make_private_directory(out_dir / relative)
        else:
            copy_privately(source, out_dir / relative)
    if with_project:
        ignore_state(out_dir)
    return removed
