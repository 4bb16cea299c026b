"""The garbage collector while a plan is made.

A full collection walks every tracked object in the process. When a plan starts, the loaded
manifests are most of them (some 145 MB at 10,000 links); while it runs, the desired documents
and then the live state read pile up; and none of these is freed before the plan is made. Left
to the collector, each is walked again at every full collection its growth sets off. Set aside
(`gc.freeze`) once made, they are walked no more; what planning leaves in cycles meanwhile is
collected as before, and when the plan is made everything is the collector's again.

The read of the live state runs with no collection at all: it leaves nothing in cycles (its
clients let go of each response's stream, `clients.responses`; at 10,000 links a collection
after the read finds nothing), so collections there only walked what it keeps. A failed read
retried may leave an exception in a cycle; that waits for the collection after the read.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class _Sparing:
    """Whether this plan set objects aside, so that it gives back only what it set aside."""

    active = False


@contextmanager
def sparing_what_exists() -> Iterator[None]:
    """Leave the objects that exist now, and those `spare_what_exists_now` is told of, out of
    garbage collection until the block ends.

    A program that froze objects itself (a server freezing what it imported before forking)
    keeps them frozen: then nothing is set aside, since `gc.unfreeze` could not tell its
    objects from the plan's."""
    if gc.get_freeze_count() > 0 or _Sparing.active:
        yield
        return
    gc.freeze()
    _Sparing.active = True
    try:
        yield
    finally:
        _Sparing.active = False
        # Back in the oldest generation: collected as usual from now on.
        gc.unfreeze()


def spare_what_exists_now() -> None:
    """Inside `sparing_what_exists`: leave out of collection the objects made so far, which
    the plan keeps to its end. The young garbage in cycles is collected first (a collection
    of the young generations only, which is cheap), so as not to be kept."""
    if not _Sparing.active:
        return
    gc.collect(1)
    gc.freeze()


@contextmanager
def collecting_nothing() -> Iterator[None]:
    """No garbage collection in the block: for the read of the live state, which frees what it
    does not keep as it goes (its clients leave no cycles behind), while collections would
    walk what it keeps again and again as it piles up. Collection resumes after the block
    (`spare_what_exists_now` then finds any garbage in cycles the block left)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
