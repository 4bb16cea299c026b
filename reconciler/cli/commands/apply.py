"""`reconcile apply DIR|PLANFILE`: make Konnect match the manifests, in dependency order.

From a directory it plans, shows the plan and asks for `yes` (unless `--auto-approve`). From a
planfile (whose digest must match its content) it plans again the way the saved plan was made
(its `-r`, `--prune`, `--refresh` and `--skip-stripe-checks`), checks that the manifests, every
object the plan relied on and every secret it would write are unchanged, and that the saved
actions are the ones planned now (address, type, field changes); only then does it apply them.
Either way one apply runs at a time per checkout, each write is preceded by a re-read of its
object, and the run ends with a per-action report.

`--output json` prints the report, `{format_version, outcomes: [{address, action, status,
duration_seconds, resource_id, error}], interrupted, refused, summary: {added, changed,
destroyed, failed, conflicts, blocked, skipped, not_started}, succeeded}`, and `--report FILE`
writes it, however the run ends: also when there was nothing to do (no outcomes), when apply
was refused before any write (`refused` says why; no outcomes), and when it was interrupted
before any write (`interrupted`; no outcomes). A report file that could not be written is
refused before anything else.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import click

from reconciler.cli.commands.plan import SKIPPED_CHECKS, parse_resource, show_plan, use_colour
from reconciler.clients.errors import ClientError
from reconciler.core.errors import describe
from reconciler.core.kind import World, Writer
from reconciler.core.plan import Plan
from reconciler.core.secrets import MissingSecret
from reconciler.engine.applying.applier import Applier
from reconciler.engine.applying.apply_report import ApplyReport, write_report
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.executor import DEFAULT_PARALLELISM, execute
from reconciler.engine.applying.lock import ApplyLock, LockHeld
from reconciler.engine.applying.reporting import FanOut, Reporter, SilentReporter
from reconciler.engine.planning import planned_secrets
from reconciler.engine.planning.graph import OrderingError
from reconciler.engine.planning.planfile import Planfile, PlanfileError, read_planfile
from reconciler.engine.planning.planner import PlanOptions, UnknownResource, make_plan
from reconciler.engine.planning.staleness import PlanDiffers, StalePlan, ensure_applicable
from reconciler.kinds import RESOURCES
from reconciler.manifests import ManifestSet, load_manifests
from reconciler.manifests.secret_patterns import redact
from reconciler.targets import Connection, TargetError, connect, manifest_root
from reconciler.views.apply import ProgressLine, TextReporter
from reconciler.views.progress import ReadProgress


class ApplyRefused(click.ClickException):
    exit_code = 1


class ApplyInterrupted(click.ClickException):
    exit_code = 1


# Ctrl-C: while reading, or at the confirmation prompt (where click turns it into Abort).
_INTERRUPTIONS = (KeyboardInterrupt, click.Abort)
# Failures that happen before anything is written; each exits 1 with its message.
_REFUSALS = (
    ApplyRefused,
    MissingSecret,
    TargetError,
    UnknownResource,
    OrderingError,
    ClientError,
    PlanfileError,
    StalePlan,
    PlanDiffers,
    LockHeld,
)


@click.command()
@click.argument(
    "source",
    type=click.Path(exists=True, path_type=Path),
    metavar="[DIR|PLANFILE]",
    default=".",
    required=False,
)
@click.option("--target", "target_name", help="Target from reconcile.yaml; default: its default.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Writes in flight at once; halves on 429 and climbs back.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-action result as JSON, however the run ends.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second per API, at most; overrides the target's rate_limit.",
)
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--prune", is_flag=True, help="Delete owned resources no manifest names.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@click.option("-r", "--resource", "resources", multiple=True, metavar="KIND/NAME")
@click.option("--skip-stripe-checks", is_flag=True, help="Apply despite failed Stripe checks.")
def apply(
    source: Path,
    target_name: str | None,
    auto_approve: bool,
    parallelism: int,
    report_file: Path | None,
    rate_limit: float | None,
    output: str,
    prune: bool,
    no_color: bool,
    resources: tuple[str, ...],
    skip_stripe_checks: bool,
) -> None:
    """Apply the manifests in DIR, or a plan saved with `plan -out PLANFILE`.

    Exits 0 when every action is done, 1 otherwise; re-running converges.
    """
    _ensure_writable(report_file)
    run = _Run(
        target_name=target_name,
        prune=prune,
        only=resources,
        stripe_checks=not skip_stripe_checks,
        parallelism=parallelism,
        rate_limit=rate_limit,
        output=output,
        color=use_colour(no_color) and output == "text",
        auto_approve=auto_approve,
    )
    # Held until the writes are done: the lock, and the connection (the sandbox it serves).
    with ExitStack() as held:
        try:
            writes = _prepare(source, run, held)
        except (Exception, KeyboardInterrupt) as ending:
            _deliver(_report_before_writing(ending), report_file, output)
            raise _reraised(ending) from None
        try:
            report = writes()
        except (Exception, KeyboardInterrupt):
            # Only a second Ctrl-C, or a fault of reconcile itself, gets past the executor:
            # writes may have happened and their outcomes are lost; a re-run converges.
            _deliver(ApplyReport(interrupted=True), report_file, output)
            raise
    _deliver(report, report_file, output)
    if not report.succeeded:
        raise click.exceptions.Exit(1)


@dataclass(frozen=True)
class _Run:
    """What the command line asked for, past parsing."""

    target_name: str | None
    prune: bool
    only: tuple[str, ...]
    stripe_checks: bool
    parallelism: int
    rate_limit: float | None
    output: str
    color: bool
    auto_approve: bool


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


def _report_before_writing(ending: Exception | KeyboardInterrupt) -> ApplyReport:
    """The report of a run that ended before its first write: interrupted, or refused."""
    if isinstance(ending, _INTERRUPTIONS):
        return ApplyReport(interrupted=True)
    if isinstance(ending, click.ClickException):
        return ApplyReport(refused=redact(ending.format_message()))
    if isinstance(ending, _REFUSALS):
        return ApplyReport(refused=redact(str(ending)))
    return ApplyReport(refused=f"unexpected error: {describe(ending)}")


def _reraised(ending: Exception | KeyboardInterrupt) -> BaseException:
    """What the command ends with once the report is delivered; a fault of reconcile itself
    keeps its traceback."""
    if isinstance(ending, _INTERRUPTIONS):
        return ApplyInterrupted("Apply interrupted before the first write: nothing was written.")
    if isinstance(ending, _REFUSALS) and not isinstance(ending, click.ClickException):
        return ApplyRefused(str(ending))
    return ending


def _prepare(source: Path, run: _Run, held: ExitStack) -> Callable[[], ApplyReport]:
    """Everything before the first write (plan, checks, confirmation); returns the writes."""
    saved = read_planfile(source) if source.is_file() else None
    if saved is not None:
        _refuse_options_the_plan_fixed(saved, run)
        directory = _planned_directory(saved)
        # Planned again as the saved one was made, to compare their actions.
        options = PlanOptions(
            prune=saved.plan.prune, stripe_checks=saved.plan.stripe_checks, only=saved.plan.only
        )
    else:
        directory = source
        only = tuple(parse_resource(text) for text in run.only)
        options = PlanOptions(prune=run.prune, stripe_checks=run.stripe_checks, only=only)
    manifests = load_manifests(directory)
    target_name = run.target_name or (saved.target if saved else None)
    held.enter_context(ApplyLock(manifest_root(manifests), _command_line()))
    connection = held.enter_context(connect(manifests, target_name, rate_limit=run.rate_limit))
    return _plan_writes(manifests, connection, saved, options, run)


def _planned_directory(saved: Planfile) -> Path:
    directory = Path(saved.manifest_dir)
    if not directory.is_dir():
        raise ApplyRefused(
            f"the plan was made from the manifests in {directory}, which is not a directory "
            "here; run apply from where plan ran"
        )
    return directory


def _refuse_options_the_plan_fixed(saved: Planfile, run: _Run) -> None:
    """A saved plan is applied as reviewed: against its own target, with its own scope."""
    if run.target_name is not None and run.target_name != saved.target:
        raise ApplyRefused(
            f"the plan was made against target {saved.target!r}, not {run.target_name!r}; "
            f"plan against {run.target_name!r} and apply that plan"
        )
    if run.prune or run.only:
        raise ApplyRefused(
            "-r/--resource and --prune shape a plan: give them to `reconcile plan` when saving "
            "it; `apply PLANFILE` applies the plan as it was saved"
        )
    # Skipping the checks changes what a plan may do (Stripe facts decide some actions), so
    # it is decided when the plan is saved and reviewed; given again for a plan saved with
    # it, it only repeats what the planfile records.
    if not run.stripe_checks and saved.plan.stripe_checks:
        raise ApplyRefused(
            "the plan was saved with the Stripe checks, and `apply PLANFILE` runs them again: "
            "to skip them, give --skip-stripe-checks to `reconcile plan` and apply that plan"
        )


def _plan_writes(
    manifests: ManifestSet,
    connection: Connection,
    saved: Planfile | None,
    options: PlanOptions,
    run: _Run,
) -> Callable[[], ApplyReport]:
    limit = AdaptiveLimit(run.parallelism)
    connection.sources.konnect.on_rate_limited = limit.rate_limited
    connection.sources.stripe.on_rate_limited = limit.rate_limited
    sources = connection.sources
    if saved is not None:
        # Read as the saved plan read, so that its observations compare with these.
        sources = replace(sources, refresh=saved.plan.refresh)
    with ReadProgress(sys.stderr, connection.requests):
        fresh, world = make_plan(manifests, RESOURCES, sources, connection.secrets, options)
    applier = Applier(RESOURCES, world, Writer(sources.konnect, connection.secrets, world))
    skipped = [] if options.stripe_checks else [SKIPPED_CHECKS]
    if saved is not None:
        _check_saved(saved, fresh, world, applier, connection)
        if run.output == "text" and skipped:
            click.echo(SKIPPED_CHECKS)
    elif run.output == "text":
        show_plan(fresh, connection, connection.header() + skipped, "text", run.color)
    # What runs is the plan made now: for a planfile, once shown to be the saved one.
    plan = fresh
    _refuse_blocked(plan)
    if plan.is_noop:
        if run.output == "text":
            click.echo("Nothing to apply.")
        return ApplyReport  # no writes: an empty report
    if saved is None and not _confirmed(run.auto_approve, run.output):
        raise ApplyRefused("Apply cancelled.")
    return functools.partial(
        execute,
        plan.actions,
        applier.perform,
        precondition=applier.precondition,
        limit=limit,
        reporter=_reporter(run.output, run.color),
    )


def _check_saved(
    saved: Planfile, fresh: Plan, world: World, applier: Applier, connection: Connection
) -> None:
    if saved.target != connection.target:
        raise ApplyRefused(
            f"the plan was made for target {saved.target!r}, not {connection.target!r}"
        )
    changes = [a for a in saved.plan.actions if a.is_change]
    secrets = planned_secrets.values_written(changes, RESOURCES, world, connection.secrets)
    ensure_applicable(
        saved.plan,
        fresh,
        reread=applier.observed([a.address for a in changes]),
        changed_secrets=planned_secrets.changed(saved.secrets, secrets),
    )
    # What was reviewed as blocked stays refused, even if what blocked it is gone by now; the
    # caller then checks the findings of the plan made now (a Stripe customer deleted since).
    _refuse_blocked(saved.plan)


def _refuse_blocked(plan: Plan) -> None:
    if plan.blocking_findings:
        lines = "\n".join(f"  - {f.address}: {f.message}" for f in plan.blocking_findings)
        raise ApplyRefused(
            f"{len(plan.blocking_findings)} finding(s) block apply; nothing was written:\n{lines}"
        )


def _confirmed(auto_approve: bool, output: str) -> bool:
    if auto_approve:
        return True
    if output != "text" or not _interactive():
        raise ApplyRefused("not a terminal, so nothing to confirm with: pass --auto-approve")
    click.echo("\nDo you want to perform these actions?")
    click.echo("  Only 'yes' will be accepted to approve.\n")
    answer: str = click.prompt("  Enter a value", default="", show_default=False)
    return answer.strip() == "yes"


def _interactive() -> bool:
    return sys.stdin.isatty()


def _interactive_output() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


def _reporter(output: str, color: bool) -> Reporter:
    if output != "text":
        return SilentReporter()
    progress = ProgressLine(sys.stderr) if _interactive_output() else None
    # The progress line first: it ends before the summary line is printed.
    reporters: list[Reporter] = [progress] if progress else []
    reporters.append(TextReporter(color=color, progress=progress))
    return FanOut(*reporters)


def _command_line() -> str:
    return " ".join(["reconcile", *sys.argv[1:2]])
