"""A list two kinds read during one read of the live state is fetched once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from reconciler.clients.errors import BadRequest
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import RetryPolicy
from reconciler.core.kind import Sources

ROUTE = "/openmeter/profiles"
PAGE = {"data": [{"id": "p1", "name": "main"}], "meta": {"page": {"size": 100, "total": 1}}}


def sources_answering(status: int, answered: threading.Event) -> Sources:
    def handler(request: httpx.Request) -> httpx.Response:
        answered.wait(5)  # both readers ask before the first answer comes
        return httpx.Response(status, json=PAGE if status == 200 else {"title": "no"})

    konnect = KonnectClient(
        "https://konnect.test/v3",
        "kpat_" + "x" * 20,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=1),
    )
    return Sources(konnect=konnect, stripe=None)  # type: ignore[arg-type]


def read_twice_at_once(sources: Sources, answered: threading.Event) -> list[object]:
    with ThreadPoolExecutor(2) as pool:
        reads = [pool.submit(sources.list_all, ROUTE) for _ in range(2)]
        threading.Timer(0.2, answered.set).start()
        return [read.exception() or read.result() for read in reads]


def test_two_readers_of_one_list_share_one_request() -> None:
    answered = threading.Event()
    sources = sources_answering(200, answered).sharing_lists()
    first, second = read_twice_at_once(sources, answered)
    assert first == second == PAGE["data"]
    assert first is not second
    assert sources.konnect.counter.requests() == {"GET " + ROUTE: 1}


def test_a_failed_list_fails_every_reader_waiting_for_it() -> None:
    answered = threading.Event()
    sources = sources_answering(400, answered).sharing_lists()
    results = read_twice_at_once(sources, answered)
    assert all(isinstance(result, BadRequest) for result in results)
    assert sources.konnect.counter.requests() == {"GET " + ROUTE: 1}


def test_outside_a_read_of_the_live_state_each_reader_asks() -> None:
    answered = threading.Event()
    answered.set()
    sources = sources_answering(200, answered)
    sources.list_all(ROUTE)
    sources.list_all(ROUTE)
    assert sources.konnect.counter.requests() == {"GET " + ROUTE: 2}
