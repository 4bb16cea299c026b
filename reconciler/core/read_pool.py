"""Thread pools for live reads that stop queued reads when their caller gives up.

Reads fan out: the kinds are read side by side, and a kind's read fans out again (pages,
one billing GET per customer link, Stripe customers) in a pool of its own, run by a worker
of the first. Ctrl-C reaches only the main thread, and leaving a plain `ThreadPoolExecutor`
runs every read still queued, thousands for a large manifest set, before the command can
stop. A `ReadPool` left by an exception cancels its queued reads, and every pool opened
under it, in any thread, starts nothing more: the command ends once the reads in flight
are answered. A pool opened under another stops with it, never the other way round, so a
failed read that its caller handles does not stop its siblings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar, Token, copy_context
from types import TracebackType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ReadCancelled(Exception):
    """A read was not started: the pool it was queued in, or one it was opened under, stopped."""


class _Stop:
    """Set when a pool stops; seen by the pools opened under it."""

    def __init__(self, parent: _Stop | None) -> None:
        self._parent = parent
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.is_set())


# The stop of the innermost pool this code runs under; copied into each read it submits.
_enclosing: ContextVar[_Stop | None] = ContextVar("enclosing_read_pool", default=None)


class ReadPool:
    """`with ReadPool(8, "reconcile-read") as pool: pool.submit(read, ...)`."""

    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        self._stop = _Stop(_enclosing.get())
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix=thread_name_prefix)
        self._token: Token[_Stop | None] | None = None

    def submit(self, read: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue `read`; raises ReadCancelled once the pool has stopped."""
        self._check()
        context = copy_context()

        def run() -> T:
            self._check()
            return context.run(read, *args, **kwargs)

        return self._pool.submit(run)

    def _check(self) -> None:
        if self._stop.is_set():
            raise ReadCancelled("the reads were stopped")

    def __enter__(self) -> ReadPool:
        self._token = _enclosing.set(self._stop)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _enclosing.reset(self._token)
        if error is not None:
            self._stop.set()
        # Reads in flight finish (an HTTP request cannot be taken back); queued ones never start.
        self._pool.shutdown(wait=True, cancel_futures=error is not None)
