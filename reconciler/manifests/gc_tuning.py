"""The garbage collector's settings while manifests load (`engine/planning/heap.py` sets
objects aside while a plan is made).

Loading builds hundreds of thousands of small containers (nodes, dicts, positions) that live
until loading ends and form no cycle worth collecting. CPython's cyclic collector runs a
young collection every 700 new containers, and each older collection walks every object that
survived the young ones: loading 10,000 manifests spent 55% of its CPU in the collector.
While loading, the young collection waits for many more containers, and what existed before
(the modules imported, pydantic's schemas) is frozen out of every collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# New containers between young collections while loading (CPython's default: 700). Garbage
# that loading does make still goes, in batches.
LOADING_THRESHOLD = 100_000


@contextmanager
def collector_tuned_for_loading() -> Iterator[None]:
    """Collect rarely while loading; the collector is as it was afterwards."""
    # Frozen objects are out of reach of gc.get_referrers too, so they are thawed afterwards
    # (unless someone else froze them), and collected as before.
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(max(LOADING_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freezing:
            gc.unfreeze()
