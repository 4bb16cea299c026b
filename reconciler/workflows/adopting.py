"""`adopt`: let reconcile manage live objects it did not create."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.core.actions import Address
from reconciler.engine.planning.adoption import Adoptable, adopt_all, find_adoptable
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options


def adopt(
    directory: Path,
    addresses: Sequence[Address],
    options: Options = DEFAULT_OPTIONS,
    *,
    events: Events | None = None,
) -> list[Adoptable]:
    """Label the live match of each named manifest `managed-by: reconcile`, every other field
    written back as read. Refused (`AdoptionRefused`) before any write when a name has no
    manifest, no live match, or a match reconcile already manages."""
    manifests = load_manifests(directory)
    with connected(manifests, options.target, events or Events(), writes=True) as connection:
        sources = connection.sources
        found = find_adoptable(manifests, RESOURCES, sources, connection.secrets, list(addresses))
        adopt_all(found, sources)
    return found
