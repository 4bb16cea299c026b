"""`plan`: what apply would change in Konnect and Stripe, and what blocks it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reconciler.core.kind import World
from reconciler.core.plan import Plan
from reconciler.core.secrets import SecretSource
from reconciler.engine.planning import planned_secrets
from reconciler.engine.planning.planfile import Planfile, write_planfile
from reconciler.engine.planning.planner import make_plan
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options


@dataclass(frozen=True)
class Planned:
    """A plan, and where it was read from."""

    plan: Plan
    target: str
    # What to say about the target before the plan: its name and kind, stand-in keys.
    header: tuple[str, ...]
    # Requests sent to both APIs while reading, retries included.
    requests: int
    directory: Path
    # What saving the plan needs: the live state read, and the secrets it would write.
    world: World = field(repr=False)
    secrets: SecretSource = field(repr=False)


def plan(
    directory: Path, options: Options = DEFAULT_OPTIONS, *, events: Events | None = None
) -> Planned:
    """Plan the manifests in `directory` against `options.target`; writes nothing."""
    events = events or Events()
    manifests = load_manifests(directory)
    with connected(
        manifests, options.target, events, concurrency=options.concurrency
    ) as connection:
        with events.reading(connection.requests):
            result, world = make_plan(
                manifests, RESOURCES, connection.sources, connection.secrets, options.plan_options()
            )
        requests = connection.requests()
    return Planned(
        plan=result,
        target=connection.target,
        header=tuple(connection.header()),
        requests=requests,
        directory=directory,
        world=world,
        secrets=connection.secrets,
    )


def save_plan(planned: Planned, out_file: Path) -> None:
    """Write the planfile for `apply`, with a salted fingerprint of each secret it would
    write (never the secret)."""
    written = planned_secrets.references_written(
        planned.plan.actions, RESOURCES, planned.world, planned.secrets
    )
    saved = Planfile(
        target=planned.target,
        manifest_dir=str(planned.directory),
        plan=planned.plan,
        secrets=planned_secrets.record(written, planned.secrets),
    )
    write_planfile(out_file, saved)
