"""`reconcile apply DIR|PLANFILE`: make Konnect match the manifests, in dependency order.

From a directory it plans, shows the plan and asks for `yes` (unless `--auto-approve`). From a
planfile (whose digest must match its content) it plans again the way the saved plan was made
(its `-r`, `--prune`, `--refresh` and `--skip-stripe-checks`), checks that the manifests, every
object the plan relied on and every secret it would write are unchanged, and that the saved
actions are the ones planned now (address, type, field changes); only then does it apply them.
Either way one apply runs at a time per checkout, each write is preceded by a re-read of its
object, and the run ends with a per-action report.

`--output json` prints the report (schema: `schemas/apply-report.json`), `{format_version,
target, reconcile_version, outcomes: [{address, action, status, duration_seconds, resource_id,
error}], interrupted, refused, summary: {add, change, destroy, failed, conflicts, blocked,
skipped, not_started}, succeeded}`, and `--report FILE`
writes it, however the run ends: also when there was nothing to do (no outcomes), when apply
was refused before any write (`refused` says why; no outcomes), and when it was interrupted
before any write (`interrupted`; no outcomes). A report file that could not be written is
refused before anything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from reconciler.cli.events import ReadingShown
from reconciler.cli.exits import failed_quietly
from reconciler.cli.options import (
    no_color_option,
    options_of,
    output_option,
    parallelism_option,
    prune_option,
    rate_limit_option,
    resource_option,
    skip_stripe_checks_option,
    target_option,
)
from reconciler.core.plan import Plan
from reconciler.engine.applying.apply_report import ApplyReport, write_report
from reconciler.engine.applying.reporting import FanOut, Reporter, SilentReporter
from reconciler.manifests.secret_patterns import redact
from reconciler.views.apply import ProgressLine, TextReporter
from reconciler.views.plan import SKIPPED_CHECKS, show_plan
from reconciler.workflows import ApplyRefused, Approval, Options
from reconciler.workflows import apply as run_apply


@click.command()
@click.argument(
    "source",
    type=click.Path(exists=True, path_type=Path),
    metavar="[DIR|PLANFILE]",
    default=".",
    required=False,
)
@target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@parallelism_option
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-action result as JSON, however the run ends.",
)
@rate_limit_option
@output_option(["text", "json"])
@prune_option("Delete owned resources no manifest names.")
@no_color_option
@resource_option()
@skip_stripe_checks_option("Apply despite failed Stripe checks.")
def apply(source: Path, report_file: Path | None, **flags: Any) -> None:
    """Apply the manifests in DIR, or a plan saved with `plan -out PLANFILE`.

    Exits 0 when every action is done, 1 otherwise; re-running converges.
    """
    _ensure_writable(report_file)

    def deliver(report: ApplyReport) -> None:
        _deliver(report, report_file, flags["output"])

    try:
        options = options_of(**flags)
    except click.BadParameter as error:  # a bad -r: refused, and reported as click tells it
        deliver(ApplyReport(refused=redact(error.format_message())))
        raise
    confirm = _ask if options.output == "text" and _interactive() else None
    view = _ApplyView(options)
    report = run_apply(source, options, confirm=confirm, events=view, on_report=deliver)
    if options.output == "text" and not report.outcomes and report.succeeded:
        click.echo("Nothing to apply.")
    if not report.succeeded:
        raise failed_quietly()


class _ApplyView(ReadingShown):
    """Apply as the terminal shows it: read progress, the plan, then one line per action."""

    def __init__(self, options: Options) -> None:
        super().__init__(options.output)
        self.options = options

    def planned(self, plan: Plan, header: Sequence[str], *, saved: bool) -> None:
        if self.options.output != "text":
            return
        skipped = [] if plan.stripe_checks else [SKIPPED_CHECKS]
        if saved:
            for warning in skipped:
                click.echo(warning)
        else:
            show_plan(plan, "", [*self.not_shown(header), *skipped], "text", self.options.color)

    def applying(self) -> Reporter:
        if self.options.output != "text":
            return SilentReporter()
        progress = ProgressLine(sys.stderr) if _interactive_output() else None
        # The progress line first: it ends before the summary line is printed.
        reporters: list[Reporter] = [progress] if progress else []
        reporters.append(TextReporter(color=self.options.color, progress=progress))
        return FanOut(*reporters)


def _ensure_writable(report_file: Path | None) -> None:
    """A report that cannot be written would be lost after the writes: refuse first."""
    if report_file is None:
        return
    directory = report_file.parent
    if not directory.is_dir():
        raise ApplyRefused(f"cannot write the report to {report_file}: no directory {directory}")
    if not os.access(directory, os.W_OK):
        raise ApplyRefused(f"cannot write the report to {report_file}: {directory} is read-only")


def _deliver(report: ApplyReport, report_file: Path | None, output: str) -> None:
    if report_file is not None:
        try:
            write_report(report_file, report)
        except OSError as error:
            message = f"cannot write the report to {report_file}: {error.strerror}"
            raise click.ClickException(message) from None
    if output == "json":
        click.echo(report.model_dump_json(indent=2))


def _ask(approval: Approval) -> bool:
    # A live-mode target moves real money: approving it takes typing its name, which a
    # reflexive `yes` meant for another target does not.
    expected = approval.target if approval.live else "yes"
    click.echo(f"\nDo you want to perform these actions in target {approval.target}?")
    click.echo(f"  Only '{expected}' will be accepted to approve.\n")
    try:
        answer: str = click.prompt("  Enter a value", default="", show_default=False)
    except click.Abort:  # Ctrl-C at the prompt: an interruption like any other
        raise KeyboardInterrupt from None
    return answer.strip() == expected


def _interactive() -> bool:
    return sys.stdin.isatty()


def _interactive_output() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()
