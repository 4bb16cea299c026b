"""`export`: the live organization as a ready manifest project.

The project directory supplies only `reconcile.yaml` (its targets); manifests in it are not
read. OUT_DIR gets one file per kind, the JSON Schemas their modelines name, a copy of
`reconcile.yaml` and of the sandbox seeds it names. OUT_DIR is a project meant for git, so
nothing under `.reconcile/` (a sandbox's world, the apply lock: state that holds account data)
is ever written there, and its `.gitignore` ignores `.reconcile/`. Everything is written to a
temporary directory and validated there first: an export that would not load as a project
leaves OUT_DIR as it was.

`force` makes OUT_DIR hold what an export into an empty directory would. Export tells the files
it writes by their names alone: a kind file of an exported kind or a project file that this
export does not write is removed; every other file is left as it is. OUT_DIR and what is in it
keep their modes; new ones are created private (0700 and 0600: they hold account data).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.core.exporting import ExportContext
from reconciler.core.safe_output import copy_privately, make_private_directory, write_private_text
from reconciler.engine.applying.lock import STATE_DIRECTORY
from reconciler.engine.exporter import (
    SCHEMAS_DIRECTORY,
    ExportedFile,
    export_live,
    manifest_file_name,
    write_manifests,
)
from reconciler.errors import ReconcileError
from reconciler.kinds import KIND_ADDRESS_TYPES, RESOURCES
from reconciler.manifests import ManifestSet, SandboxTarget, ValidationFailed, validate_directory
from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.loader import PROJECT_FILE_NAMES
from reconciler.manifests.project_file import load_project
from reconciler.manifests.validation import NO_MANIFESTS
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options

# STATE_DIRECTORY: where commands keep a project's local state; never part of an export.
GITIGNORE = ".gitignore"


class ExportRefused(ReconcileError):
    """The export would write where it must not; nothing was written."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote, removed, skipped and annotated."""

    context: ExportContext
    files: list[ExportedFile]
    removed: list[Path]
    # `valid`, or what a partial export (`kinds`) leaves unresolved.
    summary: str


def export(
    directory: Path,
    out_dir: Path,
    options: Options = DEFAULT_OPTIONS,
    *,
    kinds: Sequence[str] = (),
    force: bool = False,
    on_target: Callable[[str], None] | None = None,
    events: Events | None = None,
) -> Exported:
    """Write manifests for the live objects of `options.target` into `out_dir`.

    `kinds` (manifest kind names) limits the export; `on_target` hears the target's name once
    read, `events` the target's header before the first request. Problems of the project file
    or of the exported manifests are `ValidationFailed` (named as in `out_dir`), and nothing is
    written.
    """
    project = project_of(directory)
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        raise ExportRefused(f"{out_dir} is not empty; choose another directory or pass --force")
    exported_kinds = list(kinds) or list(KIND_ADDRESS_TYPES)
    selected = [KIND_ADDRESS_TYPES[kind] for kind in exported_kinds]
    with connected(project, options.target, events or Events()) as connection:
        context = export_live(
            RESOURCES,
            connection.sources,
            selected,
            list(KIND_ADDRESS_TYPES.values()),
            manages_default_profile=project.project.manages_default_profile,
        )
    if on_target is not None:
        on_target(connection.target)
    with tempfile.TemporaryDirectory(prefix="reconcile-export-") as staging:
        staged = Path(staging)
        files = write_manifests(context, staged)
        copy_project(directory, staged, project)
        summary = _check_staged(staged, out_dir, partial=bool(kinds))
        removed = _publish(staged, out_dir, own_file_names(exported_kinds))
    moved = [dataclasses.replace(f, path=out_dir / f.path.relative_to(staged)) for f in files]
    return Exported(context=context, files=moved, removed=removed, summary=summary)


def _check_staged(staged: Path, out_dir: Path, *, partial: bool) -> str:
    """The export must load as a project before it is written; a partial one names documents
    it does not hold. Problems are told as in OUT_DIR, which is left as it was."""
    written = validate_directory(staged)
    # An empty world exports no manifest, and that is no problem of the export.
    allowed = {NO_MANIFESTS, "dangling-reference"} if partial else {NO_MANIFESTS}
    problems = [d for d in written.diagnostics if d.code not in allowed]
    if problems:
        raise ValidationFailed(
            [as_in(out_dir, staged, diagnostic) for diagnostic in problems],
            f"{len(problems)} problem(s) in the exported manifests; nothing was written to "
            f"{out_dir}",
        )
    if partial:
        return (
            "valid, except for references to kinds not exported (--kind); copy the files into "
            "the project that declares those"
        )
    return written.summary()


def own_file_names(kinds: list[str]) -> list[str]:
    """Files, relative to OUT_DIR, that are export's by their name: the files of the kinds
    exported and the project file. What a previous export wrote under them goes when this
    one writes nothing there. Seed files (named by a project file) are not among them."""
    return [*(manifest_file_name(kind) for kind in kinds), *PROJECT_FILE_NAMES]


def _publish(staged: Path, out_dir: Path, own: list[str]) -> list[Path]:
    """Make OUT_DIR hold the staged export, removing the files of `own` it does not hold.

    Files are copied in place, so OUT_DIR and the directories and files already in it keep
    their modes; new ones are private. Nothing goes under `.reconcile/`, not even a seed file
    someone kept there: what is there is state, which must not reach git."""
    refuse_links_leading_outside(staged, out_dir)
    make_private_directory(out_dir)
    removed = [out_dir / name for name in own if not (staged / name).exists()]
    removed = [path for path in removed if path.is_file() or path.is_symlink()]
    for path in removed:
        path.unlink()
    for source in sorted(staged.rglob("*")):
        relative = source.relative_to(staged)
        if relative.parts[0] == STATE_DIRECTORY.name:
            continue
        if source.is_dir():
            make_private_directory(out_dir / relative)
        else:
            copy_privately(source, out_dir / relative)
    ignore_state(out_dir)
    return removed


def ignore_state(out_dir: Path) -> None:
    """Make OUT_DIR's `.gitignore` ignore `.reconcile/`: a command run on the exported project
    keeps state there (the embedded sandbox's world, the apply lock). A `.gitignore` already
    there keeps its lines and its mode."""
    path = out_dir / GITIGNORE
    if not path.is_file():
        write_private_text(path, f"{STATE_DIRECTORY.name}/\n")
        return
    text = path.read_text(encoding="utf-8")
    if any(line.strip().strip("/") == STATE_DIRECTORY.name for line in text.splitlines()):
        return
    separator = "\n" if text and not text.endswith("\n") else ""
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"{separator}{STATE_DIRECTORY.name}/\n")


def refuse_links_leading_outside(staged: Path, out_dir: Path) -> None:
    """Export writes only inside OUT_DIR: no symbolic link there may take a file it writes
    elsewhere. Checked for every file before the first is written."""
    inside = out_dir.resolve()
    for source in staged.rglob("*"):
        destination = out_dir / source.relative_to(staged)
        try:
            leads_inside = destination.resolve().is_relative_to(inside)
        except RuntimeError:  # a symbolic link loop
            leads_inside = False
        if not leads_inside:
            raise ExportRefused(
                f"{destination} leads outside {out_dir} through a symbolic link, and export "
                "writes only inside it; remove the link or export elsewhere"
            )


def as_in(out_dir: Path, staged: Path, diagnostic: Diagnostic) -> Diagnostic:
    relative = diagnostic.file.resolve().relative_to(staged.resolve())
    return dataclasses.replace(diagnostic, file=out_dir / relative)


def project_of(directory: Path) -> ManifestSet:
    project, problems, _ = load_project(directory)
    if problems:
        raise ValidationFailed(problems, f"{len(problems)} problem(s) in the project file")
    return ManifestSet(root=directory, project=project, entries=(), files=())


def copy_project(directory: Path, out_dir: Path, project: ManifestSet) -> None:
    """reconcile.yaml and the sandbox seed files it names."""
    for name in PROJECT_FILE_NAMES:
        if (directory / name).is_file():
            text = (directory / name).read_text(encoding="utf-8")
            (out_dir / name).write_text(_with_local_schema(text), encoding="utf-8")
    sandboxes = [t for t in project.project.all_targets.values() if isinstance(t, SandboxTarget)]
    for seed in {t.seed for t in sandboxes if t.seed and (directory / t.seed).is_file()}:
        (out_dir / seed).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(directory / seed, out_dir / seed)  # with its mode


def _with_local_schema(text: str) -> str:
    """Point a modeline at the schema written next to it; the rest is copied as it is."""
    return re.sub(
        r"^(# yaml-language-server: \$schema=)\S*project\.json",
        rf"\g<1>{SCHEMAS_DIRECTORY}/project.json",
        text,
        count=1,
        flags=re.M,
    )
