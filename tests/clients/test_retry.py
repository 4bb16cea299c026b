from __future__ import annotations

import random
from datetime import UTC, datetime

from reconciler.clients.retry import RetryPolicy, parse_retry_after


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, rng=random.Random(7))
    ceilings = [1.0, 2.0, 4.0, 5.0, 5.0]
    for attempt, ceiling in enumerate(ceilings, start=1):
        for _ in range(50):
            assert 0.0 <= policy.delay(attempt) <= ceiling


def test_retry_after_wins_when_longer_but_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=10.0)
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=60.0) == 10.0


def test_only_listed_statuses_are_retried_and_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry_status(429, 1)
    assert policy.should_retry_status(503, 2)
    assert not policy.should_retry_status(503, 3)
    assert policy.should_retry_status(500, 1)
    assert not policy.should_retry_status(501, 1)
    assert not policy.should_retry_status(400, 1)


def test_parse_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
