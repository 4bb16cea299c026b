"""The read counter: redrawn in place on a terminal, absent from pipes and files."""

from __future__ import annotations

import io
import itertools
import time

from reconciler.core.safe_output import for_terminal
from reconciler.views.progress import ReadProgress


class Terminal(io.StringIO):
    """What a terminal shows: what reaches it through reconcile's exit."""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return super().write(for_terminal(text))


def test_a_terminal_sees_the_count_grow_and_a_final_line() -> None:
    stream = Terminal()
    counter = itertools.count(1)
    with ReadProgress(stream, lambda: next(counter), interval=0.01):
        deadline = time.monotonic() + 5
        while stream.getvalue().count("\r") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    drawn = stream.getvalue()
    assert drawn.startswith("\rReading live state: 1 requests")
    assert drawn.count("\r") >= 4  # at least three redraws and the final one
    assert drawn.endswith(" requests\n")


def test_a_pipe_gets_nothing_and_no_thread_is_started() -> None:
    stream = io.StringIO()
    calls: list[int] = []
    with ReadProgress(stream, lambda: calls.append(1) or 0, interval=0.001):
        time.sleep(0.02)
    assert stream.getvalue() == ""
    assert calls == []
