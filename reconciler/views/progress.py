"""A counter of the requests a long read has made, redrawn in place on a terminal.

Reading 10,000 customer links takes a minute; a silent minute looks like a hang. Pipes and log
files get nothing: their readers want the plan, not a ticker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from reconciler.core.safe_output import CARRIAGE_RETURN


class ReadProgress:
    """`with ReadProgress(sys.stderr, count):` shows `Reading live state: 4210 requests`."""

    def __init__(self, stream: TextIO, count: Callable[[], int], *, interval: float = 0.2) -> None:
        self._stream = stream
        self._count = count
        self._interval = interval
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ReadProgress:
        if self._stream.isatty():
            self._thread = threading.Thread(target=self._run, name="reconcile-progress")
            self._thread.daemon = True
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._stopped.set()
        self._thread.join()
        self._draw()
        self._stream.write("\n")
        self._stream.flush()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self._draw()

    def _draw(self) -> None:
        self._stream.write(f"{CARRIAGE_RETURN}Reading live state: {self._count()} requests")
        self._stream.flush()
