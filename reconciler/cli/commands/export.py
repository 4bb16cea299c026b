"""`reconcile export [DIR] [OUT_DIR]`: the live organization as a ready manifest project.

`--layout environments` writes several targets' organizations as one repository: what every
target holds alike into the directory they all list (`common/`), the rest into each target's
own directory, and names the documents that differ; OUT_DIR defaults to DIR. `--target T`
without OUT_DIR writes T's organization into T's own directory the same way.

DIR supplies only `reconcile.yaml` (its targets); manifests in it are not read, so DIR may be
a directory holding nothing else. OUT_DIR gets one file per kind (`stripe-app.yaml`,
`tax-code.yaml`, `billing-profile.yaml`, `customer-billing.yaml`), the JSON Schemas their
modelines name, a copy of `reconcile.yaml` and of the sandbox seeds it names. OUT_DIR is a
project meant for git, so nothing under `.reconcile/` (a sandbox's world, the apply lock: state
that holds account data) is ever written there, and its `.gitignore` ignores `.reconcile/`.
Everything is written to a temporary directory and validated there first: an export that would
not load as a project leaves OUT_DIR as it was.

`--force` makes OUT_DIR hold what an export into an empty directory would. Export tells the
files it writes by their names alone: a kind file of an exported kind (all kinds unless
`--kind`) or a project file that this export does not write is removed; every other file is
left as it is. OUT_DIR and the directories and files in it keep their modes; new ones are
created private (0700 and 0600: they hold account data), or stricter as the umask says.

`--output json` prints one `ExportDocument` (schema: `schemas/export-output.json`) instead of
the lines: `{format_version, target, out_dir, files: [{path, kind, documents}], removed,
skipped: [{type, key, reason}], adopted, warnings, summary}`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from reconciler.cli.events import ReadingShown
from reconciler.cli.options import options_of, output_option
from reconciler.core.exporting import ExportContext
from reconciler.engine.exporter import ExportedFile
from reconciler.kinds import KIND_ADDRESS_TYPES
from reconciler.manifests import ValidationFailed
from reconciler.views.export_json import EnvironmentsExportDocument, ExportDocument
from reconciler.workflows import Exported, export_environments
from reconciler.workflows import export as export_project


@click.command("export")
@click.argument(
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    required=False,
)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--target",
    "target_names",
    multiple=True,
    help="Target from reconcile.yaml; default: its default. Repeatable with --layout "
    "environments (default there: every target that lists its manifests).",
)
@click.option(
    "--layout",
    type=click.Choice(["flat", "environments"]),
    default="flat",
    show_default=True,
    help="`environments`: one directory per target, what they share lifted into the "
    "directory every target lists (e.g. common/).",
)
@output_option(["text", "json"], help="`json` prints one object for machines.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(KIND_ADDRESS_TYPES)),
    help="Export only this kind (repeatable); default: every kind.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty OUT_DIR, replacing the files export writes and removing those "
    "of its file names it no longer writes (other files are kept).",
)
def export(
    directory: Path,
    out_dir: Path | None,
    target_names: tuple[str, ...],
    layout: str,
    output: str,
    kinds: tuple[str, ...],
    force: bool,
) -> None:
    """Write manifests for the live Konnect objects of DIRECTORY's target into OUT_DIR,
    which must be empty unless --force.

    With --layout environments (or --target T and no OUT_DIR), write each target into its
    own directory of an environment layout, what the targets hold alike into the directory
    they all list (common/); OUT_DIR defaults to DIRECTORY.

    Secrets become `${env:...}` references, references use manifest names, and values equal
    to the API's defaults are left out. Objects reconcile did not create are annotated for
    adoption. System objects and what no manifest can express are skipped, each with a reason.
    """
    if layout == "environments" or (out_dir is None and target_names):
        _export_environments(directory, out_dir, target_names, output, kinds, force)
        return
    if out_dir is None:
        raise click.UsageError(
            "give OUT_DIR, or --target T to write into T's own directory, or --layout environments"
        )
    if len(target_names) > 1:
        raise click.UsageError("one --target for a flat export; several: --layout environments")
    target_name = target_names[0] if target_names else None
    options = options_of(target_name=target_name, output=output)
    as_json = options.output == "json"
    targets: list[str] = []
    with _problems_listed(as_json):
        exported = export_project(
            directory,
            out_dir,
            options,
            kinds=kinds,
            force=force,
            on_target=targets.append,
            events=ReadingShown(options.output),
        )
    if as_json:
        document = ExportDocument.of(
            exported.context,
            exported.files,
            exported.removed,
            exported.summary,
            target=targets[0],
            out_dir=out_dir,
        )
        click.echo(document.model_dump_json(indent=2))
        return
    _report(exported)
    click.echo(f"{out_dir}: {exported.summary}")


@contextmanager
def _problems_listed(as_json: bool) -> Iterator[None]:
    """A failed validation's diagnostics listed with the other lines of the export (on stderr
    when stdout is for JSON); the summary ends on stderr."""
    try:
        yield
    except ValidationFailed as problems:
        for diagnostic in problems.diagnostics:
            click.echo(diagnostic.format(), err=as_json)
        problems.listed = True
        raise


def _report(exported: Exported) -> None:
    _report_files(exported.files, exported.removed)
    _report_context(exported.context)


def _report_files(files: Sequence[ExportedFile], removed: Sequence[Path]) -> None:
    for file in files:
        click.echo(f"Wrote {file.path.as_posix()}: {file.documents} {file.kind}")
    for path in removed:
        click.echo(f"Removed {path.as_posix()}: this export writes nothing there")


def _report_context(context: ExportContext) -> None:
    if context.skipped:
        click.echo(f"Skipped {len(context.skipped)}:")
        for skipped in context.skipped:
            click.echo(f"  {skipped}")
    if context.adopted:
        click.echo(
            f"Not created by reconcile, annotated for adoption ({len(context.adopted)}): "
            + ", ".join(context.adopted)
        )
        click.echo(
            "  The next apply adds the label managed-by: reconcile to them; or run "
            "`reconcile adopt` first, then remove the annotation."
        )
    for warning in context.warnings:
        click.echo(f"Warning: {warning}")


def _export_environments(
    directory: Path,
    out_dir: Path | None,
    targets: tuple[str, ...],
    output: str,
    kinds: tuple[str, ...],
    force: bool,
) -> None:
    options = options_of(output=output)
    as_json = options.output == "json"
    with _problems_listed(as_json):
        exported = export_environments(
            directory,
            out_dir,
            targets,
            options,
            kinds=kinds,
            force=force,
            events=ReadingShown(options.output),
        )
    written = out_dir or directory
    if as_json:
        document = EnvironmentsExportDocument.of(
            exported.contexts,
            exported.files,
            exported.removed,
            exported.summary,
            out_dir=written,
            shared=exported.shared,
            own=exported.own,
            differing=exported.differing,
        )
        click.echo(document.model_dump_json(indent=2))
        return
    _report_files(exported.files, exported.removed)
    for target, context in exported.contexts.items():
        click.echo(f"Target {target} ({exported.own[target]}/):")
        _report_context(context)
    if exported.differing:
        click.echo(
            "Differ between targets, so kept in each target's directory: "
            + ", ".join(exported.differing)
        )
    click.echo(f"{written}: {exported.summary}")
