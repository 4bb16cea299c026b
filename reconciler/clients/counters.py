"""Requests counted per API route, for `--debug`, tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter


class RequestCounter:
    """Counts requests by `METHOD /route/{template}` and retries separately; thread-safe."""

    def __init__(self) -> None:
        self._requests: Counter[str] = Counter()
        self._retries: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, method: str, route: str, *, retry: bool = False) -> None:
        key = f"{method} {route}"
        with self._lock:
            self._requests[key] += 1
            if retry:
                self._retries[key] += 1

    def requests(self) -> dict[str, int]:
        with self._lock:
            return dict(self._requests)

    def retries(self) -> dict[str, int]:
        with self._lock:
            return dict(self._retries)

    def total(self, prefix: str = "") -> int:
        """All requests whose `METHOD /route` starts with `prefix`."""
        with self._lock:
            return sum(n for key, n in self._requests.items() if key.startswith(prefix))
