"""What a workflow tells while it runs, for whoever shows it.

Like a resolver's reporter: the workflow calls these hooks and never prints. The defaults tell
nothing, so a library caller passes `Events()` (or nothing) and gets a quiet run; the command
line passes its views.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from reconciler.core.plan import Plan
from reconciler.engine.applying.reporting import Reporter, SilentReporter


class Events:
    """Hooks of a running workflow; subclass and override those you want to show."""

    def connected(self, header: Sequence[str]) -> None:
        """The target is known and nothing was sent yet; `header` says which it is."""

    def reading(self, requests: Callable[[], int]) -> AbstractContextManager[object]:
        """Held while the live state is read; `requests` counts requests sent so far."""
        return nullcontext()

    def planned(self, plan: Plan, header: Sequence[str], *, saved: bool) -> None:
        """Apply has made its plan and is about to check and confirm it; `saved` says it is
        the re-plan of a planfile (already reviewed), `header` where it was read from."""

    def applying(self) -> Reporter:
        """The reporter the writes report to, one event per action."""
        return SilentReporter()
