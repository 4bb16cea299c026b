"""Read pools: an interrupt drops the queued reads, in the pool and in the pools opened under it;
a failure handled inside one read stops nothing else."""

from __future__ import annotations

import threading
import time

import pytest

from reconciler.core.read_pool import ReadCancelled, ReadPool


def test_an_interrupt_drops_queued_reads_and_stops_the_pools_opened_under_it() -> None:
    fanning_out = threading.Event()
    ran: list[int] = []

    def fan_out() -> bool:
        """One read after another in a pool of its own, until told to stop (True) or not."""
        deadline = time.monotonic() + 5
        with ReadPool(1, "inner") as inner:
            fanning_out.set()
            while time.monotonic() < deadline:
                try:
                    inner.submit(time.sleep, 0.001).result()
                except ReadCancelled:
                    return True
        return False

    with pytest.raises(KeyboardInterrupt), ReadPool(1, "outer") as outer:
        fanned = outer.submit(fan_out)
        queued = [outer.submit(ran.append, n) for n in range(5)]
        fanning_out.wait()
        raise KeyboardInterrupt  # as Ctrl-C does, in the thread that waits for the reads
    assert fanned.result() is True
    assert ran == []
    assert all(f.cancelled() or isinstance(f.exception(), ReadCancelled) for f in queued)
    with pytest.raises(ReadCancelled):
        outer.submit(ran.append, 0)


def test_a_failure_handled_inside_a_read_does_not_stop_the_other_reads() -> None:
    def handled() -> str:
        try:
            with ReadPool(2, "inner") as inner:
                inner.submit(time.sleep, 0)
                raise ValueError("handled by the read")
        except ValueError as error:
            return str(error)

    with ReadPool(1, "outer") as outer:
        assert outer.submit(handled).result() == "handled by the read"
        assert outer.submit(str.upper, "read").result() == "READ"


def test_pools_opened_one_after_another_do_not_inherit_a_stop() -> None:
    with pytest.raises(KeyboardInterrupt), ReadPool(1, "first"):
        raise KeyboardInterrupt
    with ReadPool(1, "second") as second, ReadPool(1, "nested") as nested:
        assert second.submit(nested.submit, str.upper, "read").result().result() == "READ"
