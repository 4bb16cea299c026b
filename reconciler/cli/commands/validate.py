"""`reconcile validate DIR`: every offline check, every problem at once.

With `--target T` it checks what T sees (its manifest paths, its vars, its Stripe mode); with
`--all-targets`, what each target sees, each problem naming its target. Without either: the
default target's view, or every target's when the targets read different manifests and none
is the default.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.target_flag import target_option
from reconciler.manifests import ValidationFailed, ValidationReport
from reconciler.manifests.project_file import load_project, project_directory
from reconciler.manifests.validation import validate_directory, validate_targets
from reconciler.views.validate_json import ValidateDocument


@click.command()
@click.argument(
    "directory",
    type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
    default=".",
    required=False,
)
@target_option
@click.option(
    "--all-targets",
    is_flag=True,
    help="Validate what each target of reconcile.yaml sees; each problem names its target.",
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json` prints {format_version, target, valid, errors, warnings, summary, targets} "
    "for machines (schema: schemas/validate-output.json).",
)
def validate(directory: Path, target_name: str | None, all_targets: bool, output: str) -> None:
    """Check the manifests in DIRECTORY without calling any API.

    Prints each problem as `path:line:col: kind/name: message`, and advice on valid manifests
    as `path:line:col: kind/name: warning: message`, each followed by `(target T)` when
    several targets are validated. Exits 0 when the manifests are valid (warnings or not),
    1 otherwise.
    """
    if all_targets and target_name is not None:
        raise click.UsageError("--target and --all-targets exclude each other")
    if all_targets or (target_name is None and _targets_differ(directory)):
        reports = validate_targets(directory)
    else:
        reports = [validate_directory(directory, target_name)]
    several = len(reports) > 1
    if output == "json":
        click.echo(ValidateDocument.of(reports).model_dump_json(indent=2))
    else:
        for report in reports:
            for diagnostic in (*report.diagnostics, *report.warnings):
                click.echo(diagnostic.format() + (_of(report) if several else ""))
            if report.valid:
                click.echo(_summary(report, several))
    invalid = [report for report in reports if not report.valid]
    if invalid:  # click prints the summary to stderr as the final line
        diagnostics = [d for report in invalid for d in report.diagnostics]
        summary = "; ".join(_summary(report, several) for report in invalid)
        raise ValidationFailed(diagnostics, summary, listed=True)


def _targets_differ(directory: Path) -> bool:
    """The targets read different manifests and none is the default: no one view is *the*
    project's, so each is validated."""
    project = load_project(project_directory(directory)).project
    return project.has_environments and project.default_target_name is None


def _of(report: ValidationReport) -> str:
    return f" (target {report.target})"


def _summary(report: ValidationReport, several: bool) -> str:
    return f"target {report.target}: {report.summary()}" if several else report.summary()
