"""One options object for every workflow, as the command line's shared flags fill it.

The command line parses its flags into an `Options` once (`reconciler.cli.options`); the
workflows read what concerns them and the views read how to render. Library callers build one
directly: `Options(target="staging", refresh=False)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reconciler.core.actions import Address
from reconciler.engine.applying.executor import DEFAULT_PARALLELISM
from reconciler.engine.planning.planner import PlanOptions

Output = Literal["text", "json", "markdown"]
DEFAULT_CONCURRENCY = 16


@dataclass(frozen=True)
class Options:
    """How to run a workflow, and how its result is to be rendered."""

    # Target from reconcile.yaml; None: the project's default target.
    target: str | None = None
    # Scope (`-r`): these resources and what they depend on; empty means everything.
    resources: tuple[Address, ...] = ()
    # Delete (plan the deletion of) owned resources no manifest names.
    prune: bool = False
    # Check Stripe ids, keys and settings; without, findings become warnings.
    stripe_checks: bool = True
    # False: trust the label of what reconcile applied instead of reading each customer's
    # billing (`plan --refresh=false`); faster, blind to out-of-band edits behind it.
    refresh: bool = True
    # Reads in flight at once per API.
    concurrency: int = DEFAULT_CONCURRENCY
    # Writes in flight at once; halves on 429 and climbs back.
    parallelism: int = DEFAULT_PARALLELISM
    # Requests per second per API, at most; None: the target's own rate_limit.
    rate_limit: float | None = None
    # Apply without asking for confirmation.
    auto_approve: bool = False
    # For the views: the output format, and whether the text output is coloured.
    output: Output = "text"
    color: bool = False

    def plan_options(self) -> PlanOptions:
        """What the planner needs of these options."""
        return PlanOptions(
            prune=self.prune,
            stripe_checks=self.stripe_checks,
            only=self.resources,
            refresh=self.refresh,
        )


DEFAULT_OPTIONS = Options()
