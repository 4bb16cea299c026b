"""Read every kind's live state at once: independent reads run on a bounded thread pool."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import suppress

from reconciler.core.kind import Resource, Sources, World
from reconciler.core.live import Live
from reconciler.core.read_pool import ReadPool
from reconciler.core.stripe_facts import StripeUnavailable


def read_live_state(
    resources: Sequence[Resource],
    sources: Sources,
    world: World,
    *,
    stripe_checks: bool,
    refresh: bool = True,
) -> None:
    """Fill `world.live` for every kind; Stripe facts the checks need are read alongside.
    Without `refresh`, kinds may trust what they labelled as applied."""
    sources = sources.sharing_lists()
    with ReadPool(2 * len(resources), "reconcile-read") as pool:
        reads: dict[str, Future[list[Live]]] = {
            r.address_type: pool.submit(
                r.read if refresh else r.read_trusting_applied,
                sources,
                world.desired[r.address_type],
            )
            for r in resources
        }
        prefetches = (
            [pool.submit(_prefetch, r, sources, world) for r in resources] if stripe_checks else []
        )
        for address_type, future in reads.items():
            world.set_live(address_type, future.result())
        for prefetch in prefetches:
            prefetch.result()


def _prefetch(resource: Resource, sources: Sources, world: World) -> None:
    # A failed read is remembered by StripeFacts; the account check reports it once.
    with suppress(StripeUnavailable):
        resource.prefetch_stripe(sources.stripe, world)
