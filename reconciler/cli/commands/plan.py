"""`reconcile plan DIR`: what apply would change in Konnect and Stripe, and what blocks it.

`--output json` prints one `PlanDocument` (JSON Schema: `schemas/plan-output.json`), versioned
by `format_version` (currently 2): `{format_version, target, summary: {add, change, destroy,
blocked}, is_noop, actions: [{address: "TYPE.NAME", type, changes: [{path, before, after,
sensitive, forces_replacement}], reasons, depends_on, releases, observed}], findings:
[{address, severity, message, fix, concerns}], moved_links: [{address, before, after, cause,
concerns}], not_managed, prune, only, refresh, stripe_checks, prune_scope, manifest_digest,
live_fingerprint, notes}`. Actions are listed in apply order (no-ops last); sensitive changes
carry no values. `-out FILE` saves the same plan, with a salted fingerprint of each secret it
would write and a digest of the whole, for `apply FILE`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from reconciler.cli.events import ReadingShown
from reconciler.cli.exits import changes_present
from reconciler.cli.options import (
    concurrency_option,
    directory_argument,
    no_color_option,
    options_of,
    output_option,
    prune_option,
    refresh_option,
    resource_option,
    skip_stripe_checks_option,
    target_option,
)
from reconciler.errors import ReconcileError
from reconciler.views.plan import NOT_REFRESHED, SKIPPED_CHECKS, show_plan
from reconciler.workflows import plan as make_plan
from reconciler.workflows import save_plan


class PlanBlocked(ReconcileError):
    """Blocking findings or blocked actions: apply would refuse or fail, so the plan fails."""


@click.command()
@directory_argument
@target_option
@output_option(
    ["text", "json", "markdown"],
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
@prune_option("Plan deletion of owned resources no manifest names.")
@no_color_option
@resource_option(
    "Limit the plan to this resource and what it depends on (repeatable), with the "
    "findings that concern them. Terraform calls this -target; here --target already names "
    "the project target."
)
@skip_stripe_checks_option(
    "Do not check Stripe ids, key and settings; findings become warnings. Loudly."
)
@refresh_option
@concurrency_option
def plan(directory: Path, out_file: Path | None, detailed_exitcode: bool, **flags: Any) -> None:
    """Show what `apply` would change for the manifests in DIRECTORY.

    Reads Konnect and Stripe in bulk, compares field by field and prints the actions in
    apply order, Terraform style. Findings marked Error and blocked actions keep apply from
    carrying out the plan; the plan then exits 1, after printing it all.
    """
    options = options_of(**flags)
    started = time.monotonic()
    progress(f"Reading live state (up to {options.concurrency} reads in flight)...")
    events = ReadingShown(options.output)
    planned = make_plan(directory, options, events=events)
    progress(f"Read in {time.monotonic() - started:.1f}s with {planned.requests} requests.")
    notes = [*events.not_shown(planned.header), *([] if options.refresh else [NOT_REFRESHED])]
    warnings = [] if options.stripe_checks else [SKIPPED_CHECKS]
    show_plan(planned.plan, planned.target, notes, options.output, options.color, warnings)
    if out_file is not None:
        save_plan(planned, out_file)
    # Checked after the plan is printed and saved: CI shows what blocks before it fails.
    blockers = planned.plan.what_blocks_apply()
    if blockers:
        raise PlanBlocked(f"{blockers} block apply")
    if detailed_exitcode and not planned.plan.is_noop:
        raise changes_present()


def progress(message: str) -> None:
    # Only people watching a terminal want progress; logs and pipes stay clean.
    if sys.stderr.isatty():
        click.echo(message, err=True)
