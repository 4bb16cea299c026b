"""`reconcile validate DIR`: every offline check, every problem at once."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.manifests import ValidationFailed, validate_directory
from reconciler.views.validate_json import ValidateDocument


@click.command()
@click.argument(
    "directory",
    type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
    default=".",
    required=False,
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json` prints {format_version, valid, errors, warnings, summary} for machines "
    "(schema: schemas/validate-output.json).",
)
def validate(directory: Path, output: str) -> None:
    """Check the manifests in DIRECTORY without calling any API.

    Prints each problem as `path:line:col: kind/name: message`, and advice on valid manifests
    as `path:line:col: kind/name: warning: message`. Exits 0 when the manifests are valid
    (warnings or not), 1 otherwise.
    """
    report = validate_directory(directory)
    if output == "json":
        click.echo(ValidateDocument.of(report).model_dump_json(indent=2))
    else:
        for diagnostic in (*report.diagnostics, *report.warnings):
            click.echo(diagnostic.format())
        if report.valid:
            click.echo(report.summary())
    if not report.valid:  # click prints the summary to stderr as the final line
        raise ValidationFailed(list(report.diagnostics), report.summary(), listed=True)
