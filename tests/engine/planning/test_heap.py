"""The garbage collector while a plan is made: what exists is set aside, and given back."""

from __future__ import annotations

import gc
import weakref

from reconciler.engine.planning.heap import (
    collecting_nothing,
    spare_what_exists_now,
    sparing_what_exists,
)


class Node:
    """An object that can be part of a reference cycle, and be watched by a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_what_exists_is_left_out_of_collection_until_the_block_ends() -> None:
    assert gc.get_freeze_count() == 0
    with sparing_what_exists():
        before = gc.get_freeze_count()
        assert before > 0
        kept = [Node() for _ in range(100)]
        spare_what_exists_now()
        assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_freeze_count() == 0


def test_the_collector_is_given_everything_back_even_after_an_error() -> None:
    try:
        with sparing_what_exists():
            raise RuntimeError("planning failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_young_garbage_in_cycles_is_collected_rather_than_set_aside() -> None:
    with sparing_what_exists():
        first, second = Node(), Node()
        first.other, second.other = second, first
        watched = weakref.ref(first)
        del first, second
        spare_what_exists_now()
        assert watched() is None


def test_no_collection_while_reading_and_as_before_after() -> None:
    assert gc.isenabled()
    with collecting_nothing():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collecting_nothing():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_objects_the_program_froze_itself_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with sparing_what_exists():
            kept = [Node() for _ in range(100)]
            spare_what_exists_now()
            assert gc.get_freeze_count() == frozen, "the plan set objects aside"
        assert gc.get_freeze_count() == frozen
        assert kept
    finally:
        gc.unfreeze()
