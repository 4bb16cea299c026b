"""What the sandbox has been asked: counts per method and route template, and a request log.

Counts are keyed by the route template (`GET /v3/openmeter/customers/{customer_id}`), not the
concrete path, so a test or benchmark can assert "one list call, no per-customer GETs". The log
is a bounded ring buffer of facts about each API request; it never holds headers or bodies, so
no credential can reach it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

UNMATCHED = "{unmatched}"


class RouteTemplates:
    """Finds the template of the route that will serve a request, before it is served.

    Faults are decided before routing (an injected 503 never reaches a handler), yet they must be
    counted under the same template as the requests that do, hence our own lookup.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._mounts = [
            (route.path, _leaf_routes(route.routes)) for route in routes if isinstance(route, Mount)
        ]

    def template(self, method: str, path: str) -> str:
        for prefix, leaves in self._mounts:
            if path != prefix and not path.startswith(prefix + "/"):
                continue
            rest = path[len(prefix) :] or "/"
            path_match: Route | None = None
            for leaf in leaves:
                if not leaf.path_regex.match(rest):
                    continue
                if path_match is not None and _is_catch_all(leaf):
                    # The path exists with other methods: a 405, counted under that path.
                    return prefix + path_match.path
                if leaf.methods is None or method in leaf.methods:
                    return prefix + leaf.path
                path_match = path_match or leaf
            return prefix + (path_match.path if path_match else "/" + UNMATCHED)
        return UNMATCHED


def _is_catch_all(route: Route) -> bool:
    return route.path.startswith("/{") and route.path.endswith(":path}")


def _leaf_routes(routes: Sequence[BaseRoute]) -> list[Route]:
    return [route for route in routes if isinstance(route, Route)]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    route: str
    status: int | None
    idempotency_key: str | None
    fault: str | None
    at: float  # seconds since the epoch; formatted only when the log is read

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "status": self.status,
            "idempotency_key": self.idempotency_key,
            "fault": self.fault,
            "at": _rfc3339(self.at),
        }


def _rfc3339(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Traffic:
    """Request counts and the recent request log of one sandbox process (in memory).

    Written on the server's event loop, read from there or from a test's thread: hence the lock.
    """

    def __init__(self, log_size: int = 1000) -> None:
        self.counts: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.log: deque[LoggedRequest] = deque(maxlen=log_size)
        self._lock = threading.Lock()

    def record(
        self,
        *,
        method: str,
        path: str,
        route: str,
        status: int | None,
        idempotency_key: str | None,
        fault: str | None,
    ) -> None:
        entry = LoggedRequest(method, path, route, status, idempotency_key, fault, time.time())
        with self._lock:
            self.counts[f"{method} {route}"] += 1
            if fault is not None:
                self.faults[fault] += 1
            self.log.append(entry)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self.counts.values()),
                "requests": dict(sorted(self.counts.items())),
                "faults": dict(sorted(self.faults.items())),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.counts.clear()
            self.faults.clear()

    def recent(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The logged requests, oldest first; only the last `limit` when given."""
        with self._lock:
            entries = list(self.log)
        if limit is not None:
            entries = entries[-limit:] if limit > 0 else []
        return [entry.as_json() for entry in entries]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()
