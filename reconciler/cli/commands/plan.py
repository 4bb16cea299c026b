"""`reconcile plan DIR`: what apply would change in Konnect and Stripe, and what blocks it.

`--output json` prints one `PlanDocument` (JSON Schema: `schemas/plan-output.json`), versioned
by `format_version` (currently 1): `{format_version, target, summary: {add, change, destroy,
blocked}, is_noop, actions: [{address: {type, name}, type, changes: [{path, before, after,
sensitive, forces_replacement}], reasons, depends_on, releases, observed}], findings:
[{address, severity, message, fix, concerns}], moved_links: [{address, before, after, cause,
concerns}], not_managed, prune, only, refresh, stripe_checks, prune_scope, manifest_digest,
live_fingerprint, notes}`. Actions are listed in apply order (no-ops last); sensitive changes
carry no values. `-out FILE` saves the same plan, with a salted fingerprint of each secret it
would write and a digest of the whole, for `apply FILE`.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.clients.errors import ClientError
from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.plan import Plan
from reconciler.core.secrets import MissingSecret
from reconciler.engine.planning import planned_secrets
from reconciler.engine.planning.graph import OrderingError
from reconciler.engine.planning.planfile import Planfile, PlanfileError, write_planfile
from reconciler.engine.planning.planner import PlanOptions, UnknownResource, make_plan
from reconciler.kinds import KIND_ADDRESS_TYPES, RESOURCES
from reconciler.manifests import load_manifests
from reconciler.targets import Connection, TargetError, connect
from reconciler.views.plan import render_markdown, render_text
from reconciler.views.plan_json import PlanDocument
from reconciler.views.progress import ReadProgress

SKIPPED_CHECKS = (
    "WARNING: Stripe checks were skipped (--skip-stripe-checks). Konnect does not check "
    "Stripe ids either: a wrong one surfaces only when an invoice is due."
)


NOT_REFRESHED = (
    "Note: --refresh=false: customer links whose applied-digest label matches the manifest "
    "were not read; edits made to their billing outside reconcile are not shown."
)


class ChangesPresent(click.exceptions.Exit):
    """`--detailed-exitcode`: the plan has changes."""

    def __init__(self) -> None:
        super().__init__(2)


class PlanBlocked(click.ClickException):
    """Blocking findings or blocked actions: apply would refuse or fail, so the plan fails."""

    exit_code = 1


def parse_resource(text: str) -> Address:
    """`KIND/NAME` (`BillingProfile/enterprise`) or an address (`billing_profile.enterprise`)."""
    kind, slash, name = text.partition("/")
    if slash and kind in KIND_ADDRESS_TYPES and name:
        return Address(type=KIND_ADDRESS_TYPES[kind], name=name)
    try:
        return Address.parse(text)
    except ValueError:
        kinds = ", ".join(KIND_ADDRESS_TYPES)
        raise click.BadParameter(f"{text!r}: expected KIND/NAME with KIND one of {kinds}") from None


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
    help="`json` for machines (versioned schema), `markdown` for pull-request comments.",
)
@click.option(
    "-out",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (no secrets in it) for `apply FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there are no changes, 2 when there are, 1 on error.",
)
@click.option("--prune", is_flag=True, help="Plan deletion of owned resources no manifest names.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@click.option(
    "-r",
    "--resource",
    "resources",
    multiple=True,
    metavar="KIND/NAME",
    help="Limit the plan to this resource and what it depends on (repeatable), with the "
    "findings that concern them. Terraform calls this -target; here --target already names "
    "the project target.",
)
@click.option(
    "--skip-stripe-checks",
    is_flag=True,
    help="Do not check Stripe ids, key and settings; findings become warnings. Loudly.",
)
@click.option(
    "--refresh",
    type=click.BOOL,
    default=True,
    show_default=True,
    help="`--refresh=false` skips the per-customer billing reads of links whose applied-digest "
    "label matches the manifest: faster, but blind to out-of-band edits of their billing "
    "(`drift` always reads everything).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Reads in flight at once per API.",
)
def plan(
    directory: Path,
    target_name: str | None,
    output: str,
    out_file: Path | None,
    detailed_exitcode: bool,
    prune: bool,
    no_color: bool,
    resources: tuple[str, ...],
    skip_stripe_checks: bool,
    refresh: bool,
    concurrency: int,
) -> None:
    """Show what `apply` would change for the manifests in DIRECTORY.

    Reads Konnect and Stripe in bulk, compares field by field and prints the actions in
    apply order, Terraform style. Findings marked Error and blocked actions keep apply from
    carrying out the plan; the plan then exits 1, after printing it all.
    """
    manifests = load_manifests(directory)
    options = PlanOptions(
        prune=prune,
        stripe_checks=not skip_stripe_checks,
        only=tuple(parse_resource(text) for text in resources),
    )
    started = time.monotonic()
    progress(f"Reading live state (up to {concurrency} reads in flight)...")
    try:
        with connect(manifests, target_name, concurrency=concurrency) as connection:
            sources = dataclasses.replace(connection.sources, refresh=refresh)
            with ReadProgress(sys.stderr, connection.requests):
                result, world = make_plan(
                    manifests, RESOURCES, sources, connection.secrets, options
                )
            requests = connection.requests()
    except (MissingSecret, TargetError, UnknownResource, OrderingError, ClientError) as error:
        raise click.ClickException(str(error)) from None
    progress(f"Read in {time.monotonic() - started:.1f}s with {requests} requests.")
    notes = connection.header() + ([] if refresh else [NOT_REFRESHED])
    warnings = [SKIPPED_CHECKS] if skip_stripe_checks else []
    show_plan(result, connection, notes, output, color=use_colour(no_color), warnings=warnings)
    if out_file is not None:
        _save(out_file, directory, result, world, connection)
    # Checked after the plan is printed and saved: CI shows what blocks before it fails.
    blockers = result.what_blocks_apply()
    if blockers:
        raise PlanBlocked(f"{blockers} block apply")
    if detailed_exitcode and not result.is_noop:
        raise ChangesPresent()


def _save(
    out_file: Path, directory: Path, result: Plan, world: World, connection: Connection
) -> None:
    """Write the planfile, with a fingerprint of each secret the plan would write."""
    written = planned_secrets.values_written(result.actions, RESOURCES, world, connection.secrets)
    saved = Planfile(
        target=connection.target,
        manifest_dir=str(directory),
        plan=result,
        secrets=planned_secrets.record(written),
    )
    try:
        write_planfile(out_file, saved)
    except PlanfileError as error:
        raise click.ClickException(str(error)) from None


def progress(message: str) -> None:
    # Only people watching a terminal want progress; logs and pipes stay clean.
    if sys.stderr.isatty():
        click.echo(message, err=True)


def use_colour(no_color: bool) -> bool:
    return not no_color and sys.stdout.isatty()


def show_plan(
    result: Plan,
    connection: Connection,
    notes: Sequence[str],
    output: str,
    color: bool,
    warnings: Sequence[str] = (),
) -> None:
    if output == "json":
        document = PlanDocument.of(result, connection.target, [*notes, *warnings])
        click.echo(document.model_dump_json(indent=2))
    elif output == "markdown":
        click.echo(render_markdown(result, notes=notes, warnings=warnings), nl=False)
    else:
        for note in [*notes, *warnings]:
            click.echo(note)
        click.echo("")
        click.echo(render_text(result, color=color), nl=False)
