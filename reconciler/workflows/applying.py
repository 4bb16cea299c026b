"""`apply`: make Konnect match the manifests, or a saved plan, in dependency order.

From a directory it plans, tells the plan (`Events.planned`) and asks `confirm` (unless
`auto_approve`). From a planfile (whose digest must match its content) it plans again the way
the saved plan was made (its scope, prune, refresh and Stripe checks), checks that the
manifests, every object the plan relied on and every secret it would write are unchanged, and
that the saved actions are the ones planned now; only then does it apply them. Either way one
apply runs at a time per checkout, each write is preceded by a re-read of its object, and the
run ends with a per-action report, handed to `on_report` however the run ends.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from reconciler.core.errors import describe
from reconciler.core.kind import World, Writer
from reconciler.core.plan import Plan
from reconciler.engine.applying.applier import Applier
from reconciler.engine.applying.apply_report import ApplyReport
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.executor import execute
from reconciler.engine.applying.lock import ApplyLock
from reconciler.engine.planning import planned_secrets
from reconciler.engine.planning.planfile import Planfile, read_planfile
from reconciler.engine.planning.planner import PlanOptions, make_plan
from reconciler.engine.planning.staleness import ensure_applicable
from reconciler.errors import ReconcileError
from reconciler.kinds import RESOURCES
from reconciler.manifests import ManifestSet, load_manifests
from reconciler.manifests.secret_patterns import redact
from reconciler.targets import Connection, manifest_root, preflight
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options


@dataclass(frozen=True)
class Approval:
    """What `confirm` is asked to approve: the plan, and the target its writes would reach."""

    plan: Plan
    target: str
    # The target uses a Stripe live-mode key: a prompt asks for more than `yes`.
    live: bool


Confirm = Callable[[Approval], bool]
ReportSink = Callable[[ApplyReport], None]


class ApplyRefused(ReconcileError):
    """Apply will not run as asked; nothing was written."""


class ApplyInterrupted(ReconcileError):
    """Ctrl-C before the first write; nothing was written."""


def apply(
    source: Path,
    options: Options = DEFAULT_OPTIONS,
    *,
    confirm: Confirm | None = None,
    events: Events | None = None,
    on_report: ReportSink | None = None,
) -> ApplyReport:
    """Apply the manifests in the directory `source`, or the planfile `source`.

    Without `options.auto_approve`, `confirm` is asked with the plan (none: refused). The
    report goes to `on_report` however the run ends, before an error propagates: refused
    (`ReconcileError`, nothing written), interrupted, or done (`report.succeeded` says if
    every action was).
    """
    events = events or Events()
    reached = _Reached()

    def deliver(report: ApplyReport) -> None:
        (on_report or _ignore)(report.model_copy(update={"target": reached.target}))

    # Held until the writes are done: the lock, and the connection (the sandbox it serves).
    with ExitStack() as held:
        try:
            writes = _prepare(source, options, held, confirm, events, reached)
        except (Exception, KeyboardInterrupt) as ending:
            deliver(report_before_writing(ending))
            raise _reraised(ending) from None
        try:
            report = writes()
        except (Exception, KeyboardInterrupt):
            # Only a second Ctrl-C, or a fault of reconcile itself, gets past the executor:
            # writes may have happened and their outcomes are lost; a re-run converges.
            deliver(ApplyReport(interrupted=True))
            raise
    report = report.model_copy(update={"target": reached.target})
    deliver(report)
    return report


@dataclass
class _Reached:
    """How far apply got: the target it connected to, which the report names."""

    target: str | None = None


def _ignore(report: ApplyReport) -> None:
    pass


def report_before_writing(ending: Exception | KeyboardInterrupt) -> ApplyReport:
    """The report of a run that ended before its first write: interrupted, or refused."""
    if isinstance(ending, KeyboardInterrupt):
        return ApplyReport(interrupted=True)
    if isinstance(ending, ReconcileError):
        return ApplyReport(refused=redact(str(ending)))
    return ApplyReport(refused=f"unexpected error: {describe(ending)}")


def _reraised(ending: Exception | KeyboardInterrupt) -> BaseException:
    """What apply ends with once the report is delivered; a fault of reconcile itself keeps
    its traceback."""
    if isinstance(ending, KeyboardInterrupt):
        return ApplyInterrupted("Apply interrupted before the first write: nothing was written.")
    return ending


@dataclass(frozen=True)
class _Asked:
    options: Options
    confirm: Confirm | None
    events: Events


def _prepare(
    source: Path,
    options: Options,
    held: ExitStack,
    confirm: Confirm | None,
    events: Events,
    reached: _Reached,
) -> Callable[[], ApplyReport]:
    """Everything before the first write (plan, checks, confirmation); returns the writes."""
    saved = read_planfile(source) if source.is_file() else None
    if saved is not None:
        _refuse_options_the_plan_fixed(saved, options)
        directory = _planned_directory(saved)
        # Planned again as the saved one was made, to compare their actions.
        plan_options = PlanOptions(
            prune=saved.plan.prune,
            stripe_checks=saved.plan.stripe_checks,
            only=saved.plan.only,
            refresh=saved.plan.refresh,
        )
    else:
        directory = source
        plan_options = options.plan_options()
    manifests = load_manifests(directory)
    target_name = options.target or (saved.target if saved else None)
    # Before the lock, which creates `.reconcile/`: a target that cannot be used leaves nothing.
    preflight(manifests, target_name)
    held.enter_context(ApplyLock(manifest_root(manifests), _command_line()))
    connection = held.enter_context(
        connected(manifests, target_name, events, rate_limit=options.rate_limit, writes=True)
    )
    reached.target = connection.target
    asked = _Asked(options=options, confirm=confirm, events=events)
    return _plan_writes(manifests, connection, saved, plan_options, asked)


def _planned_directory(saved: Planfile) -> Path:
    directory = Path(saved.manifest_dir)
    if not directory.is_dir():
        raise ApplyRefused(
            f"the plan was made from the manifests in {directory}, which is not a directory "
            "here; run apply from where plan ran"
        )
    return directory


def _refuse_options_the_plan_fixed(saved: Planfile, options: Options) -> None:
    """A saved plan is applied as reviewed: against its own target, with its own scope."""
    if options.target is not None and options.target != saved.target:
        raise ApplyRefused(
            f"the plan was made against target {saved.target!r}, not {options.target!r}; "
            f"plan against {options.target!r} and apply that plan"
        )
    if options.prune or options.resources:
        raise ApplyRefused(
            "-r/--resource and --prune shape a plan: give them to `reconcile plan` when saving "
            "it; `apply PLANFILE` applies the plan as it was saved"
        )
    # Skipping the checks changes what a plan may do (Stripe facts decide some actions), so
    # it is decided when the plan is saved and reviewed; given again for a plan saved with
    # it, it only repeats what the planfile records.
    if not options.stripe_checks and saved.plan.stripe_checks:
        raise ApplyRefused(
            "the plan was saved with the Stripe checks, and `apply PLANFILE` runs them again: "
            "to skip them, give --skip-stripe-checks to `reconcile plan` and apply that plan"
        )


def _plan_writes(
    manifests: ManifestSet,
    connection: Connection,
    saved: Planfile | None,
    plan_options: PlanOptions,
    asked: _Asked,
) -> Callable[[], ApplyReport]:
    limit = AdaptiveLimit(asked.options.parallelism)
    sources = connection.sources
    sources.konnect.on_rate_limited = limit.rate_limited
    sources.stripe.on_rate_limited = limit.rate_limited
    with asked.events.reading(connection.requests):
        fresh, world = make_plan(manifests, RESOURCES, sources, connection.secrets, plan_options)
    applier = Applier(RESOURCES, world, Writer(sources.konnect, connection.secrets, world))
    if saved is not None:
        _check_saved(saved, fresh, world, applier, connection)
    asked.events.planned(fresh, connection.header(), saved=saved is not None)
    # What runs is the plan made now: for a planfile, once shown to be the saved one.
    plan = fresh
    _refuse_blocked(plan)
    if plan.is_noop:
        return ApplyReport  # no writes: an empty report
    if saved is None:
        _confirm(Approval(plan=plan, target=connection.target, live=connection.live), asked)
    return functools.partial(
        execute,
        plan.actions,
        applier.perform,
        precondition=applier.precondition,
        limit=limit,
        reporter=asked.events.applying(),
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


def _confirm(approval: Approval, asked: _Asked) -> None:
    if asked.options.auto_approve:
        return
    if asked.confirm is None:
        raise ApplyRefused("not a terminal, so nothing to confirm with: pass --auto-approve")
    if not asked.confirm(approval):
        raise ApplyRefused("Apply cancelled.")


def _command_line() -> str:
    """How the lock names its holder to a second apply."""
    return " ".join(["reconcile", *sys.argv[1:2]])
