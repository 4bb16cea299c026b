"""How an apply reads as it runs: a line per event, as Terraform prints them, and a progress
line redrawn in place on a terminal. Both listen to the executor's event stream
(`engine.applying.reporting`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

import click

from reconciler.core.actions import Action, ActionType
from reconciler.core.safe_output import CARRIAGE_RETURN, ERASE_LINE
from reconciler.engine.applying.apply_report import ActionOutcome, ApplyReport, ApplyStatus
from reconciler.engine.applying.reporting import SilentReporter
from reconciler.views.style import style

# Action type -> (what is happening, what is done, what failed), in Terraform's words.
_VERBS = {
    ActionType.CREATE: ("Creating...", "Creation complete", "Creation failed"),
    ActionType.UPDATE: ("Modifying...", "Modifications complete", "Modification failed"),
    ActionType.DELETE: ("Destroying...", "Destruction complete", "Destruction failed"),
    ActionType.REPLACE: ("Replacing...", "Replacement complete", "Replacement failed"),
}


class TextReporter(SilentReporter):
    """One line per event, like Terraform: `billing_profile.enterprise: Creating...`."""

    def __init__(
        self,
        echo: Callable[[str], None] = click.echo,
        *,
        color: bool = False,
        progress: ProgressLine | None = None,
    ) -> None:
        self._print = echo
        self._color = color
        # On a terminal the progress line sits below the lines: lift it, print, put it back.
        self._progress = progress

    def _echo(self, line: str) -> None:
        if self._progress is not None:
            self._progress.clear()
        self._print(line)
        if self._progress is not None:
            self._progress.redraw()

    def starting(self, action: Action) -> None:
        self._echo(f"{action.address}: {_VERBS[action.type][0]}")

    def finished(self, action: Action, outcome: ActionOutcome) -> None:
        self._echo(self._style(outcome_line(action, outcome), outcome.status))

    def ended(self, report: ApplyReport) -> None:
        colour = "green" if report.succeeded else "red"
        line = report.summary_line()
        self._echo("")
        self._echo(style(line, fg=colour, bold=True) if self._color else line)

    def _style(self, line: str, status: ApplyStatus) -> str:
        # The label carries the colour (`Error`, `Skipped`), not the whole line.
        if not self._color or status is ApplyStatus.DONE:
            return line
        label = "Skipped" if status is ApplyStatus.SKIPPED else "Error"
        head, found, tail = line.partition(label)
        if not found:
            return line
        return head + style(label, fg="yellow" if label == "Skipped" else "red") + tail


def outcome_line(action: Action, outcome: ActionOutcome) -> str:
    address = action.address
    after = format_duration(outcome.duration_seconds)
    if outcome.status is ApplyStatus.DONE:
        resource_id = f" [id={outcome.resource_id}]" if outcome.resource_id else ""
        return f"{address}: {_VERBS[action.type][1]} after {after}{resource_id}"
    if outcome.status is ApplyStatus.FAILED:
        return f"Error: {address}: {_VERBS[action.type][2]} after {after}: {outcome.error}"
    if outcome.status is ApplyStatus.CONFLICT:
        return f"Error: {address}: not written, it changed since the plan: {outcome.error}"
    if outcome.status is ApplyStatus.BLOCKED:
        return f"Error: {address}: blocked: {outcome.error}"
    return f"{address}: Skipped ({outcome.error})"


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest}s"


class ProgressLine(SilentReporter):
    """A counter line redrawn in place on a terminal: `[ 420/1000] 42% | 1 failed`."""

    def __init__(
        self,
        stream: TextIO,
        *,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._min_interval = min_interval
        self._clock = clock
        self._total = 0
        self._finished = 0
        self._problems = 0
        self._drawn_at: float | None = None
        self._on_screen = False

    def beginning(self, total: int) -> None:
        self._total = total
        self._draw()

    def finished(self, action: Action, outcome: ActionOutcome) -> None:
        self._finished += 1
        if outcome.status is not ApplyStatus.DONE:
            self._problems += 1
        now = self._clock()
        # Thousands of actions finish within seconds; redrawing each one only burns the TTY.
        if self._drawn_at is None or now - self._drawn_at >= self._min_interval:
            self._draw()

    def ended(self, report: ApplyReport) -> None:
        self._draw()
        self._stream.write("\n")
        self._stream.flush()
        self._on_screen = False
        self._drawn_at = None  # done: what is printed after the run stays clear of it

    def clear(self) -> None:
        """Erase the line, so that other output can be written where it was."""
        if self._on_screen:
            self._stream.write(CARRIAGE_RETURN + ERASE_LINE)
            self._stream.flush()
            self._on_screen = False

    def redraw(self) -> None:
        if self._drawn_at is not None:
            self._draw()

    def _draw(self) -> None:
        self._on_screen = True
        self._drawn_at = self._clock()
        width = len(str(self._total))
        share = self._finished * 100 // self._total if self._total else 100
        line = f"[{self._finished:>{width}}/{self._total}] {share:3d}%"
        if self._problems:
            line += f" | {self._problems} not done"
        self._stream.write(CARRIAGE_RETURN + line)
        self._stream.flush()
