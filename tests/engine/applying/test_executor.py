"""The executor with plain-Python actions: order, failures, conflicts, limits, Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.clients.errors import BadRequest
from reconciler.core.actions import Action, ActionType, Address
from reconciler.engine.applying.apply_report import ApplyReport, ApplyStatus
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.executor import ActionResult, execute
from reconciler.engine.applying.reporting import SilentReporter
from reconciler.engine.planning.graph import OrderingError, order_in_levels, prerequisites

APP = Address(type="stripe_app", name="stripe")
TAX = Address(type="tax_code", name="saas")
PROFILE = Address(type="billing_profile", name="enterprise")
OLD_PROFILE = Address(type="billing_profile", name="legacy")
LINK = Address(type="customer_billing", name="acme")
OTHER_LINK = Address(type="customer_billing", name="globex")


def act(
    address: Address, type_: ActionType, *deps: Address, releases: tuple[Address, ...] = ()
) -> Action:
    return Action(
        address=address, type=type_, depends_on=frozenset(deps), releases=frozenset(releases)
    )


class Recorder:
    """A `perform` that records the order of writes and fails the addresses it is told to."""

    def __init__(self, failing: set[Address] | None = None) -> None:
        self.failing = failing or set()
        self.performed: list[Address] = []
        self._lock = threading.Lock()

    def __call__(self, action: Action) -> ActionResult:
        with self._lock:
            self.performed.append(action.address)
        if action.address in self.failing:
            raise BadRequest(
                status=400, method="POST", route="/openmeter/profiles", title="Bad Request"
            )
        return ActionResult(resource_id=f"id-{action.address.name}")


def statuses(report: ApplyReport) -> dict[str, ApplyStatus]:
    return {str(o.address): o.status for o in report.outcomes}


def test_everything_done_in_dependency_order_with_ids_and_a_success_summary() -> None:
    perform = Recorder()
    report = execute(
        [
            act(LINK, ActionType.CREATE, PROFILE),
            act(PROFILE, ActionType.REPLACE, APP),
            act(APP, ActionType.UPDATE),
            act(TAX, ActionType.NOOP),
        ],
        perform,
    )
    assert perform.performed == [APP, PROFILE, LINK]
    assert report.succeeded and report.exit_code == 0
    assert report.outcome_of(LINK).resource_id == "id-acme"
    assert report.summary_line() == ("Apply complete! Resources: 2 added, 1 changed, 1 destroyed.")


def test_a_failure_skips_its_dependants_transitively_and_spares_independent_branches() -> None:
    perform = Recorder(failing={PROFILE})
    deeper = Address(type="customer_billing", name="deeper")
    report = execute(
        [
            act(APP, ActionType.CREATE),
            act(PROFILE, ActionType.CREATE, APP),
            act(LINK, ActionType.CREATE, PROFILE),
            act(deeper, ActionType.CREATE, LINK),
            act(TAX, ActionType.CREATE),
            act(OTHER_LINK, ActionType.CREATE, APP),
        ],
        perform,
    )
    assert statuses(report) == {
        "stripe_app.stripe": ApplyStatus.DONE,
        "tax_code.saas": ApplyStatus.DONE,
        "billing_profile.enterprise": ApplyStatus.FAILED,
        "customer_billing.globex": ApplyStatus.DONE,
        "customer_billing.acme": ApplyStatus.SKIPPED,
        "customer_billing.deeper": ApplyStatus.SKIPPED,
    }
    assert LINK not in perform.performed and deeper not in perform.performed
    failed = report.outcome_of(PROFILE)
    assert failed.error == "POST /openmeter/profiles: 400 Bad Request"
    assert "billing_profile.enterprise was not done: failed" in report.outcome_of(LINK).error
    assert report.exit_code == 1
    assert report.summary_line() == (
        "Apply failed! Resources: 3 added, 0 changed, 0 destroyed; 1 failed, 2 skipped."
    )


def test_a_precondition_conflict_writes_nothing_and_stops_that_branch() -> None:
    perform = Recorder()

    def precondition(action: Action) -> str | None:
        return "billing_profile.enterprise was changed" if action.address == PROFILE else None

    report = execute(
        [act(PROFILE, ActionType.UPDATE), act(LINK, ActionType.UPDATE, PROFILE)],
        perform,
        precondition=precondition,
    )
    assert perform.performed == []
    assert report.outcome_of(PROFILE).status is ApplyStatus.CONFLICT
    assert report.outcome_of(PROFILE).error == "billing_profile.enterprise was changed"
    assert report.outcome_of(LINK).status is ApplyStatus.SKIPPED
    assert not report.succeeded


def test_a_profile_is_deleted_only_after_the_link_leaving_it_moved() -> None:
    actions = [
        act(PROFILE, ActionType.NOOP),
        act(OLD_PROFILE, ActionType.DELETE),
        act(LINK, ActionType.UPDATE, PROFILE, releases=(OLD_PROFILE,)),
    ]
    perform = Recorder()
    assert execute(actions, perform).succeeded
    assert perform.performed == [LINK, OLD_PROFILE]
    report = execute(actions, Recorder(failing={LINK}))
    assert report.outcome_of(OLD_PROFILE).status is ApplyStatus.SKIPPED


def test_blocked_actions_are_reported_and_hold_back_their_dependants() -> None:
    blocked = Action(address=LINK, type=ActionType.BLOCKED, reasons=("customer has no email",))
    dependant = act(OTHER_LINK, ActionType.CREATE, LINK)
    perform = Recorder()
    report = execute([blocked, dependant, act(TAX, ActionType.CREATE)], perform)
    assert perform.performed == [TAX]
    assert report.outcome_of(LINK).status is ApplyStatus.BLOCKED
    assert report.outcome_of(LINK).error == "customer has no email"
    assert report.outcome_of(OTHER_LINK).status is ApplyStatus.SKIPPED
    assert report.exit_code == 1


def test_unexpected_errors_are_reported_by_type_with_secrets_masked() -> None:
    key = "sk_test_" + "a" * 24

    def perform(action: Action) -> ActionResult:
        raise RuntimeError(f"library said {key}")

    report = execute([act(APP, ActionType.CREATE)], perform)
    error = report.outcome_of(APP).error
    assert error.startswith("RuntimeError: library said sk_test_")
    assert key not in error


def _level(count: int) -> list[Action]:
    return [act(Address(type="link", name=f"l{n:02}"), ActionType.CREATE) for n in range(count)]


class ConcurrencyMeter:
    def __init__(self, hold: float = 0.01) -> None:
        self.hold = hold
        self.current = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, action: Action) -> ActionResult:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
        time.sleep(self.hold)
        with self._lock:
            self.current -= 1
        return ActionResult()


def test_a_level_runs_concurrently_but_never_beyond_the_parallelism() -> None:
    meter = ConcurrencyMeter()
    report = execute(_level(24), meter, limit=AdaptiveLimit(3))
    assert report.succeeded
    assert meter.peak == 3


def test_a_rate_limit_signal_halves_the_concurrency_and_successes_restore_it() -> None:
    limit = AdaptiveLimit(8, grow_after=1000)
    first = act(Address(type="app", name="first"), ActionType.CREATE)
    rest = [a.model_copy(update={"depends_on": frozenset({first.address})}) for a in _level(24)]
    meter = ConcurrencyMeter()

    def perform(action: Action) -> ActionResult:
        if action is first:
            limit.rate_limited()  # what a client's on_rate_limited hook does on a 429
            return ActionResult()
        return meter(action)

    assert execute([first, *rest], perform, limit=limit).succeeded
    assert meter.peak == 4
    climbing = AdaptiveLimit(8, grow_after=1)
    climbing.rate_limited()
    assert execute(_level(10), ConcurrencyMeter(0), limit=climbing).succeeded
    assert climbing.limit == 8


def test_ctrl_c_finishes_writes_in_flight_starts_nothing_new_and_still_reports() -> None:
    in_flight = Address(type="tax_code", name="slow")
    later = act(LINK, ActionType.CREATE, in_flight)
    events: list[str] = []

    def perform(action: Action) -> ActionResult:
        if action.address == in_flight:
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            time.sleep(0.1)
        return ActionResult(resource_id="done")

    class Ending(SilentReporter):
        def ended(self, report: ApplyReport) -> None:
            events.append(report.summary_line())

    report = execute(
        [act(in_flight, ActionType.CREATE), later, act(APP, ActionType.CREATE)],
        perform,
        reporter=Ending(),
    )
    assert report.interrupted
    assert report.outcome_of(in_flight).status is ApplyStatus.DONE
    assert report.outcome_of(LINK).status is ApplyStatus.NOT_STARTED
    assert events == [report.summary_line()]
    assert report.summary_line().startswith("Apply interrupted! Resources: ")
    assert report.summary_line().endswith("1 not started.")


def test_an_interrupt_raised_inside_a_write_ends_the_run_the_same_way() -> None:
    def perform(action: Action) -> ActionResult:
        raise KeyboardInterrupt

    report = execute([act(APP, ActionType.CREATE), act(LINK, ActionType.CREATE, APP)], perform)
    assert report.interrupted
    assert report.outcome_of(APP).status is ApplyStatus.FAILED
    assert "may or may not have happened" in report.outcome_of(APP).error
    assert report.outcome_of(LINK).status is ApplyStatus.NOT_STARTED


@st.composite
def plans_with_failures(draw: st.DrawFn) -> tuple[list[Action], set[Address], set[Address]]:
    count = draw(st.integers(min_value=1, max_value=14))
    addresses = [Address(type="kind", name=f"r{i}") for i in range(count)]
    kinds = st.sampled_from(
        [ActionType.CREATE, ActionType.UPDATE, ActionType.DELETE, ActionType.NOOP]
    )
    actions = []
    for index, address in enumerate(addresses):
        # Pointing only at lower indexes keeps depends_on acyclic; deletes and releases can
        # still make a cycle, and such plans are left out below.
        earlier = addresses[:index]
        deps = draw(st.sets(st.sampled_from(earlier), max_size=3)) if earlier else set()
        releases = draw(st.sets(st.sampled_from(earlier), max_size=1)) if earlier else set()
        actions.append(act(address, draw(kinds), *deps, releases=tuple(releases)))
    failing = draw(st.sets(st.sampled_from(addresses)))
    conflicting = draw(st.sets(st.sampled_from(addresses)))
    return actions, failing, conflicting - failing


def _downstream(roots: set[Address], edges: dict[Address, set[Address]]) -> set[Address]:
    found: set[Address] = set()
    pending = list(roots)
    while pending:
        current = pending.pop()
        for address, before in edges.items():
            if current in before and address not in found:
                found.add(address)
                pending.append(address)
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plans_with_failures(), st.integers(min_value=1, max_value=4))
def test_random_plans_and_failures_respect_order_skip_dependants_and_account_for_all(
    case: tuple[list[Action], set[Address], set[Address]], parallelism: int
) -> None:
    actions, failing, conflicting = case
    try:
        order_in_levels(actions)
    except OrderingError:
        assume(False)
    edges = prerequisites(actions)
    completed: set[Address] = set()
    started: set[Address] = set()
    lock = threading.Lock()

    def perform(action: Action) -> ActionResult:
        with lock:
            assert edges[action.address] <= completed, "started before its prerequisites"
            started.add(action.address)
        if action.address in failing:
            raise ValueError("injected")
        with lock:
            completed.add(action.address)
        return ActionResult()

    def precondition(action: Action) -> str | None:
        return "changed" if action.address in conflicting else None

    report = execute(actions, perform, precondition=precondition, limit=AdaptiveLimit(parallelism))
    changes = {a.address for a in actions if a.is_change}
    assert sorted((o.address for o in report.outcomes), key=str) == sorted(changes, key=str)
    broken = (failing | conflicting) & changes
    dependants = _downstream(broken, edges)
    for outcome in report.outcomes:
        address = outcome.address
        if address in dependants:
            assert outcome.status is ApplyStatus.SKIPPED
        elif address in conflicting:
            assert outcome.status is ApplyStatus.CONFLICT
        elif address in failing:
            assert outcome.status is ApplyStatus.FAILED
        else:
            assert outcome.status is ApplyStatus.DONE
    assert started == changes - dependants - conflicting
    assert report.succeeded == (not broken)
