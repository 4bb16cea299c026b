"""`reconcile drift DIR`: what changed in Konnect and Stripe behind git's back; writes nothing.

Exit codes: 0 no drift, 2 drift, 1 error. `--output json` prints one object, versioned by
`format_version` (currently 1): `{format_version, target, drifted, summary: {changed, deleted,
unmanaged_match, stripe}, ignored_fields, stripe_checks, items: [{address: {type, name},
class, message, fix, changed_at, fields: [{path, manifest, live, sensitive}], notes}],
not_managed, notes}`. Sensitive fields carry no values; `changed_at` is the `updated_at` of
the object that changed where the API has one, else null (Konnect names no author).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reconciler.clients.errors import ClientError
from reconciler.core.secrets import MissingSecret
from reconciler.engine.drift import DriftReport, detect_drift
from reconciler.engine.planning.graph import OrderingError
from reconciler.engine.planning.planner import PlanOptions, make_plan
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.targets import Connection, TargetError, connect
from reconciler.views.drift import render_drift_markdown, render_drift_text
from reconciler.views.progress import ReadProgress

SKIPPED_CHECKS = (
    "WARNING: Stripe checks were skipped (--skip-stripe-checks): Stripe drift (deleted "
    "customers, detached payment methods, revoked keys, ...) is not shown."
)


class DriftFound(click.exceptions.Exit):
    """The live state differs from the manifests."""

    def __init__(self) -> None:
        super().__init__(2)


@click.command()
@click.argument(
    "directory", type=click.Path(exists=True, path_type=Path), default=".", required=False
)
@click.option("--target", "target_name", help="Target from reconcile.yaml; default: its default.")
@click.option(
    "--output",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="`json` for machines (versioned schema), `markdown` for an issue body.",
)
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@click.option(
    "--skip-stripe-checks",
    is_flag=True,
    help="Read only which Stripe account each installed app's key opens; Stripe-side drift is "
    "then not reported.",
)
def drift(
    directory: Path,
    target_name: str | None,
    output: str,
    no_color: bool,
    skip_stripe_checks: bool,
) -> None:
    """Report how the live state drifted from the manifests in DIRECTORY; change nothing.

    Reads like `plan` and reports managed fields changed out of band, declared resources
    missing live, same-named objects reconcile does not manage, and Stripe-side problems.
    `drift.ignore` in reconcile.yaml names fields that are not drift. Exits 0 when there is
    no drift, 2 when there is, 1 on error.
    """
    manifests = load_manifests(directory)
    options = PlanOptions(stripe_checks=not skip_stripe_checks)
    try:
        with connect(manifests, target_name) as connection:
            with ReadProgress(sys.stderr, connection.requests):
                plan, world = make_plan(
                    manifests, RESOURCES, connection.sources, connection.secrets, options
                )
            report = detect_drift(
                plan,
                world,
                RESOURCES,
                manifests.project.drift,
                stripe_checks=not skip_stripe_checks,
            )
    except (MissingSecret, TargetError, OrderingError, ClientError) as error:
        raise click.ClickException(str(error)) from None
    notes = connection.header() + ([SKIPPED_CHECKS] if skip_stripe_checks else [])
    _show(report, connection, notes, output, color=not no_color and sys.stdout.isatty())
    if report.drifted:
        raise DriftFound()


def _show(
    report: DriftReport, connection: Connection, notes: list[str], output: str, color: bool
) -> None:
    if output == "json":
        document = {"target": connection.target, **report.to_json(), "notes": notes}
        click.echo(json.dumps(document, indent=2))
    elif output == "markdown":
        click.echo(render_drift_markdown(report, connection.target), nl=False)
    else:
        for note in notes:
            click.echo(note)
        click.echo("")
        click.echo(render_drift_text(report, color=color), nl=False)
