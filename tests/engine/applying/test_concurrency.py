"""The adaptive limit: halves on 429, climbs by one after a run of successes, stays in bounds."""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.applying.concurrency import AdaptiveLimit


def test_halves_on_a_rate_limit_and_climbs_back_one_by_one() -> None:
    limit = AdaptiveLimit(8, grow_after=2)
    limit.rate_limited()
    assert limit.limit == 4
    limit.succeeded()
    assert limit.limit == 4
    limit.succeeded()
    assert limit.limit == 5
    for _ in range(20):
        limit.succeeded()
    assert limit.limit == 8


def test_429s_before_any_success_are_one_overload_and_cut_once() -> None:
    limit = AdaptiveLimit(16)
    for _ in range(5):
        limit.rate_limited()
    assert limit.limit == 8
    assert limit.rate_limit_signals == 5
    limit.succeeded()
    limit.rate_limited()
    assert limit.limit == 4


def test_a_rate_limit_resets_the_run_of_successes() -> None:
    limit = AdaptiveLimit(4, grow_after=3)
    limit.rate_limited()
    limit.succeeded()
    limit.succeeded()
    limit.rate_limited()
    limit.succeeded()
    limit.succeeded()
    assert limit.limit == 1


def test_rejects_nonsense_settings_and_unbalanced_release() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AdaptiveLimit(0)
    with pytest.raises(ValueError, match="grow_after"):
        AdaptiveLimit(2, grow_after=0)
    with pytest.raises(RuntimeError, match="release without acquire"):
        AdaptiveLimit(2).release()


operations = st.lists(st.sampled_from(["acquire", "release", "success", "429"]), max_size=200)


@given(st.integers(min_value=1, max_value=32), st.integers(min_value=1, max_value=6), operations)
def test_the_limit_never_leaves_one_to_maximum(
    maximum: int, grow_after: int, steps: list[str]
) -> None:
    limit = AdaptiveLimit(maximum, grow_after=grow_after)
    held = 0
    for step in steps:
        if step == "acquire" and held < limit.limit:
            limit.acquire()
            held += 1
        elif step == "release" and held:
            limit.release()
            held -= 1
        elif step == "success":
            limit.succeeded()
        elif step == "429":
            limit.rate_limited()
        assert 1 <= limit.limit <= maximum
        assert limit.in_flight == held <= maximum


def test_threads_never_hold_more_slots_than_the_maximum() -> None:
    limit = AdaptiveLimit(5, grow_after=2)
    lock = threading.Lock()
    holding = 0
    peak = 0

    def worker(seed: int) -> None:
        nonlocal holding, peak
        rng = random.Random(seed)
        for _ in range(300):
            limit.acquire()
            with lock:
                holding += 1
                peak = max(peak, holding)
            if rng.random() < 0.1:
                limit.rate_limited()
            else:
                limit.succeeded()
            with lock:
                holding -= 1
            limit.release()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert 1 <= peak <= 5
    assert limit.in_flight == 0
    assert 1 <= limit.limit <= 5
