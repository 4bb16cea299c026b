"""`reconcile validate DIR`: every offline check, every problem at once.

With `--target T` it checks what T sees (its manifest paths, its vars, its Stripe mode); with
`--all-targets`, what each target sees, each problem naming its target. Without either: the
default target's view, or every target's when the targets read different manifests and none
is the default.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from reconciler.cli.options import target_option
from reconciler.manifests import ValidationFailed, ValidationReport
from reconciler.manifests.project_file import load_project, project_directory
from reconciler.manifests.validation import validate_directory, validate_targets

# Bumped only by a breaking change of what `--output json` prints.
VALIDATE_FORMAT_VERSION = 1


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
    help="`json` prints {format_version, valid, errors, summary, targets} for machines.",
)
def validate(directory: Path, target_name: str | None, all_targets: bool, output: str) -> None:
    """Check the manifests in DIRECTORY without calling any API.

    Prints each problem as `path:line:col: kind/name: message`, followed by `(target T)`
    when several targets are validated. Exits 0 when the manifests are valid, 1 otherwise.
    """
    if all_targets and target_name is not None:
        raise click.UsageError("--target and --all-targets exclude each other")
    if all_targets or (target_name is None and _targets_differ(directory)):
        reports = validate_targets(directory)
    else:
        reports = [validate_directory(directory, target_name)]
    several = len(reports) > 1
    if output == "json":
        click.echo(json.dumps(_document(reports), indent=2))
    else:
        for report in reports:
            for diagnostic in report.diagnostics:
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


def _document(reports: list[ValidationReport]) -> dict[str, Any]:
    """One report as before, with its target; several as one list of errors (each naming its
    target) and a summary per target."""
    documents = [{"target": report.target, **report.to_json()} for report in reports]
    if len(documents) == 1:
        return {"format_version": VALIDATE_FORMAT_VERSION, **documents[0]}
    errors = [
        {**error, "target": document["target"]}
        for document in documents
        for error in document["errors"]
    ]
    by_code = Counter(str(error["code"]) for error in errors)
    summary = {
        "files": sum(d["summary"]["files"] for d in documents),
        "documents": sum(d["summary"]["documents"] for d in documents),
        "errors": len(errors),
        "errors_by_code": dict(sorted(by_code.items())),
    }
    return {
        "format_version": VALIDATE_FORMAT_VERSION,
        "target": None,
        "valid": all(document["valid"] for document in documents),
        "errors": errors,
        "summary": summary,
        "targets": [
            {"target": d["target"], "valid": d["valid"], "summary": d["summary"]} for d in documents
        ],
    }
