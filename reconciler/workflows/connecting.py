"""How every workflow reaches its target: connect, then name the target before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reconciler.manifests import ManifestSet
from reconciler.targets import Connection, connect
from reconciler.workflows.events import Events


@contextmanager
def connected(
    manifests: ManifestSet,
    target_name: str | None,
    events: Events,
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    writes: bool = False,
) -> Iterator[Connection]:
    """The target's clients, told to `events.connected` before the first request, so that no
    workflow can write (or read) without having said where. A workflow that writes says so:
    the others get the target's read credentials where it names them."""
    with connect(
        manifests, target_name, concurrency=concurrency, rate_limit=rate_limit, writes=writes
    ) as connection:
        events.connected(connection.header())
        yield connection
