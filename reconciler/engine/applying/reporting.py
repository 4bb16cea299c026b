"""The apply event stream: the hooks a reporter implements, and two plain reporters.

The executor announces events and knows nothing of output; each reporter renders them its
own way (the text and progress renderers are in `views.apply`). The executor never calls two
hooks at once, so reporters need no lock of their own.
"""

from __future__ import annotations

from typing import Protocol

from reconciler.core.actions import Action
from reconciler.engine.applying.apply_report import ActionOutcome, ApplyReport


class Reporter(Protocol):
    def beginning(self, total: int) -> None:
        """The run starts; `total` actions are to be done."""

    def starting(self, action: Action) -> None:
        """The action's write is about to be attempted."""

    def finished(self, action: Action, outcome: ActionOutcome) -> None:
        """The action reached its outcome (done, failed, conflict, skipped or blocked)."""

    def ended(self, report: ApplyReport) -> None:
        """The run is over, also when it failed or was interrupted."""


class SilentReporter:
    """Ignores every event; a base for reporters that care about a few."""

    def beginning(self, total: int) -> None:
        pass

    def starting(self, action: Action) -> None:
        pass

    def finished(self, action: Action, outcome: ActionOutcome) -> None:
        pass

    def ended(self, report: ApplyReport) -> None:
        pass


class FanOut:
    """Passes every event to each reporter in turn."""

    def __init__(self, *reporters: Reporter) -> None:
        self.reporters = reporters

    def beginning(self, total: int) -> None:
        for reporter in self.reporters:
            reporter.beginning(total)

    def starting(self, action: Action) -> None:
        for reporter in self.reporters:
            reporter.starting(action)

    def finished(self, action: Action, outcome: ActionOutcome) -> None:
        for reporter in self.reporters:
            reporter.finished(action, outcome)

    def ended(self, report: ApplyReport) -> None:
        for reporter in self.reporters:
            reporter.ended(report)
