"""How many writes may be in flight at once: a bound that halves on 429 and climbs back (AIMD).

API clients report every 429 they receive through `rate_limited` (their `on_rate_limited`
hook); the executor reports each completed action through `succeeded`. Additive increase,
multiplicative decrease keeps a run close to what the server accepts without a fixed guess.
"""

from __future__ import annotations

import threading


class AdaptiveLimit:
    """A counting gate whose size moves between 1 and `maximum`; thread-safe."""

    def __init__(self, maximum: int = 8, *, grow_after: int = 5) -> None:
        if maximum < 1:
            raise ValueError("maximum must be at least 1")
        if grow_after < 1:
            raise ValueError("grow_after must be at least 1")
        self.maximum = maximum
        self.grow_after = grow_after
        self.rate_limit_signals = 0
        self._limit = maximum
        self._in_flight = 0
        self._streak = 0
        self._cut_since_last_success = False
        self._changed = threading.Condition()

    @property
    def limit(self) -> int:
        with self._changed:
            return self._limit

    @property
    def in_flight(self) -> int:
        with self._changed:
            return self._in_flight

    def acquire(self) -> None:
        """Wait until fewer than `limit` slots are taken, then take one."""
        with self._changed:
            while self._in_flight >= self._limit:
                # A timeout keeps the wait interruptible by Ctrl-C on every platform.
                self._changed.wait(timeout=0.5)
            self._in_flight += 1

    def release(self) -> None:
        with self._changed:
            if self._in_flight == 0:
                raise RuntimeError("release without acquire")
            self._in_flight -= 1
            self._changed.notify_all()

    def succeeded(self) -> None:
        """One more success in a row; after `grow_after` of them the limit grows by one."""
        with self._changed:
            self._cut_since_last_success = False
            self._streak += 1
            if self._streak >= self.grow_after and self._limit < self.maximum:
                self._limit += 1
                self._streak = 0
                self._changed.notify_all()

    def rate_limited(self) -> None:
        """A 429 arrived: halve the limit (never below one)."""
        with self._changed:
            self.rate_limit_signals += 1
            self._streak = 0
            # The requests already in flight when the limit was cut were sent too fast for
            # the old limit; their 429s are echoes of one overload, so they cut only once.
            if self._cut_since_last_success:
                return
            self._limit = max(1, self._limit // 2)
            self._cut_since_last_success = True
