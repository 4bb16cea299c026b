"""`drift`: how the live state drifted from the manifests; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.engine.drift import DriftReport, detect_drift
from reconciler.engine.planning.planner import make_plan
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options


@dataclass(frozen=True)
class Drifted:
    """A drift report, and where it was read from."""

    report: DriftReport
    target: str
    header: tuple[str, ...]


def drift(
    directory: Path, options: Options = DEFAULT_OPTIONS, *, events: Events | None = None
) -> Drifted:
    """Compare the live state of `options.target` with the manifests in `directory`.

    Reads like `plan` (everything: `refresh`, scope and prune do not apply) and reports managed
    fields changed out of band, declared resources missing live, same-named objects reconcile
    does not manage, and, with `stripe_checks`, Stripe-side problems.
    """
    events = events or Events()
    manifests = load_manifests(directory, options.target)
    plan_options = Options(stripe_checks=options.stripe_checks).plan_options()
    with connected(manifests, options.target, events) as connection:
        with events.reading(connection.requests):
            plan, world = make_plan(
                manifests, RESOURCES, connection.sources, connection.secrets, plan_options
            )
        report = detect_drift(
            plan,
            world,
            RESOURCES,
            manifests.project.drift,
            stripe_checks=options.stripe_checks,
        )
    return Drifted(report=report, target=connection.target, header=tuple(connection.header()))
