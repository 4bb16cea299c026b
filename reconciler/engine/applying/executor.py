"""Carry out a plan's actions: level by level, concurrently within a level, and to the end.

The executor knows no kind and no API. It is given what to do per action (`perform`) and how
to tell, right before the write, whether the object is still as planned (`precondition`).
A failure stops only what depends on it: independent branches go on, dependants are skipped,
and every action ends up in the report exactly once. Ctrl-C lets in-flight writes finish,
starts nothing new, and still returns the report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.errors import describe
from reconciler.core.observation import CreatedSincePlan, created_since_plan
from reconciler.engine.applying.apply_report import ActionOutcome, ApplyReport, ApplyStatus
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.reporting import Reporter, SilentReporter
from reconciler.engine.planning.graph import order_in_levels, prerequisites

DEFAULT_PARALLELISM = 8


@dataclass(frozen=True)
class ActionResult:
    """What a successful write produced: the id of the object it created or changed."""

    resource_id: str | None = None


Perform = Callable[[Action], ActionResult]
# Returns None when the object is still as the plan saw it, else why it is not.
Precondition = Callable[[Action], str | None]


def always_holds(action: Action) -> str | None:
    return None


def execute(
    actions: Sequence[Action],
    perform: Perform,
    *,
    precondition: Precondition = always_holds,
    limit: AdaptiveLimit | None = None,
    reporter: Reporter | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ApplyReport:
    """Run every change of a plan's `actions` (no-ops are ignored) and report on each.

    Pass the `limit` whose `rate_limited` the API clients call on a 429, so that the run
    slows down when the servers ask it to.
    """
    run = _Run(
        perform,
        precondition,
        limit or AdaptiveLimit(DEFAULT_PARALLELISM),
        reporter or SilentReporter(),
        clock,
    )
    return run.execute(actions)


class _Run:
    def __init__(
        self,
        perform: Perform,
        precondition: Precondition,
        limit: AdaptiveLimit,
        reporter: Reporter,
        clock: Callable[[], float],
    ) -> None:
        self._perform = perform
        self._precondition = precondition
        self._limit = limit
        self._reporter = reporter
        self._clock = clock
        self._outcomes: dict[Address, ActionOutcome] = {}
        self._in_flight: set[Future[None]] = set()
        # Serialises outcome records and reporter calls made from worker threads.
        self._lock = threading.Lock()

    def execute(self, actions: Sequence[Action]) -> ApplyReport:
        levels = order_in_levels(actions)
        must_follow = prerequisites(actions)
        blocked = [a for a in actions if a.type is ActionType.BLOCKED]
        self._reporter.beginning(sum(len(level) for level in levels) + len(blocked))
        for action in blocked:
            self._record(action, ApplyStatus.BLOCKED, error=_blocked_reason(action))
        blocked_addresses = {a.address for a in blocked}
        interrupted = False
        with ThreadPoolExecutor(self._limit.maximum, thread_name_prefix="reconcile-apply") as pool:
            try:
                for level in levels:
                    for action in level:
                        waits_for = must_follow[action.address] | (
                            action.depends_on & blocked_addresses
                        )
                        self._start_or_skip(pool, action, waits_for)
                    self._finish_level()
            except KeyboardInterrupt:
                # Leaving the pool waits for the writes in flight; nothing new is started.
                interrupted = True
        ordered = [*blocked, *(a for level in levels for a in level)]
        report = ApplyReport(
            outcomes=tuple(self._outcome_or_not_started(a) for a in ordered),
            interrupted=interrupted,
        )
        self._reporter.ended(report)
        return report

    def _start_or_skip(
        self, pool: ThreadPoolExecutor, action: Action, waits_for: set[Address]
    ) -> None:
        reason = self._unmet(waits_for)
        if reason is not None:
            self._record(action, ApplyStatus.SKIPPED, error=reason)
            return
        self._limit.acquire()
        try:
            future = pool.submit(self._attempt, action)
        except BaseException:
            self._limit.release()
            raise
        self._in_flight.add(future)

    def _unmet(self, waits_for: set[Address]) -> str | None:
        with self._lock:
            for address in sorted(waits_for, key=str):
                outcome = self._outcomes[address]
                if outcome.status is not ApplyStatus.DONE:
                    return f"{address} was not done: {outcome.status.value}"
        return None

    def _finish_level(self) -> None:
        # Failures are recorded by the workers and only matter to later levels; an interrupt
        # raised inside a worker is the one exception that comes out here and ends the run.
        while self._in_flight:
            done, _ = wait(self._in_flight, return_when=FIRST_EXCEPTION)
            self._in_flight -= done
            for future in done:
                future.result()

    def _attempt(self, action: Action) -> None:
        with self._lock:
            self._reporter.starting(action)
        started = self._clock()
        try:
            conflict = self._precondition(action)
            if conflict is not None:
                self._record(action, ApplyStatus.CONFLICT, started=started, error=conflict)
                return
            result = self._perform(action)
        except CreatedSincePlan:
            message = created_since_plan(action)
            self._record(action, ApplyStatus.CONFLICT, started=started, error=message)
            return
        except Exception as error:
            self._record(action, ApplyStatus.FAILED, started=started, error=describe(error))
            return
        except BaseException:
            self._record(
                action,
                ApplyStatus.FAILED,
                started=started,
                error="interrupted while writing; it may or may not have happened",
            )
            raise
        finally:
            self._limit.release()
        self._limit.succeeded()
        self._record(action, ApplyStatus.DONE, started=started, resource_id=result.resource_id)

    def _record(
        self,
        action: Action,
        status: ApplyStatus,
        *,
        started: float | None = None,
        resource_id: str | None = None,
        error: str | None = None,
    ) -> None:
        duration = 0.0 if started is None else max(0.0, self._clock() - started)
        outcome = ActionOutcome(
            address=action.address,
            action=action.type,
            status=status,
            duration_seconds=round(duration, 3),
            resource_id=resource_id,
            error=error,
        )
        with self._lock:
            self._outcomes[action.address] = outcome
            self._reporter.finished(action, outcome)

    def _outcome_or_not_started(self, action: Action) -> ActionOutcome:
        return self._outcomes.get(action.address) or ActionOutcome(
            address=action.address, action=action.type, status=ApplyStatus.NOT_STARTED
        )


def _blocked_reason(action: Action) -> str:
    return "; ".join(action.reasons) or "the plan marked it blocked"
