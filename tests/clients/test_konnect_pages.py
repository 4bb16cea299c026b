"""A list's pages after the first are fetched side by side: answered at the HTTP seam, where
the overlap, the order of the answers and a total that moves while paging can be arranged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from reconciler.clients.errors import BadRequest, NotFound
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import RetryPolicy

ROUTE = "/openmeter/customers"
Answer = Callable[[int], httpx.Response]


class RecordingTransport(httpx.BaseTransport):
    """Answers `page[number]` with `answer(number)` after `delay(number)` seconds, recording
    which pages were asked for and the most requests it held at once."""

    def __init__(self, answer: Answer, delay: Callable[[int], float] = lambda _: 0.02) -> None:
        self._answer = answer
        self._delay = delay
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.asked: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        with self._lock:
            self.asked.append(number)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self._delay(number))
            return self._answer(number)
        finally:
            with self._lock:
                self.in_flight -= 1


def client(transport: httpx.BaseTransport, page_concurrency: int = 4) -> KonnectClient:
    return KonnectClient(
        "https://konnect.test/v3",
        "kpat_" + "x" * 20,
        transport=transport,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
        sleep=lambda _: None,
        page_concurrency=page_concurrency,
    )


def page(items: list[dict[str, str]], total: int, size: int = 100) -> httpx.Response:
    return httpx.Response(
        200, json={"data": items, "meta": {"page": {"size": size, "total": total}}}
    )


def items_of(numbers: range) -> list[dict[str, str]]:
    return [{"id": f"c{n:05d}"} for n in numbers]


def pages_of(items: list[dict[str, str]], size: int = 100) -> Answer:
    return lambda number: page(items[(number - 1) * size : number * size], len(items), size)


def test_pages_overlap_up_to_the_bound_and_items_come_back_in_page_order() -> None:
    items = items_of(range(1000))
    # Later pages answer first, so an order taken from the answers would be wrong.
    transport = RecordingTransport(pages_of(items), delay=lambda number: 0.05 - number * 0.004)
    assert client(transport, page_concurrency=4).list_all(ROUTE) == items
    assert sorted(transport.asked) == list(range(1, 11))
    assert transport.asked[0] == 1  # the first page alone tells how many follow
    assert transport.most_in_flight == 4


def test_a_concurrency_of_one_reads_the_pages_one_after_another() -> None:
    items = items_of(range(350))
    transport = RecordingTransport(pages_of(items))
    assert client(transport, page_concurrency=1).list_all(ROUTE) == items
    assert transport.asked == [1, 2, 3, 4]
    assert transport.most_in_flight == 1


def test_an_empty_first_page_is_the_only_request() -> None:
    transport = RecordingTransport(lambda _: page([], total=0))
    assert client(transport).list_all(ROUTE) == []
    assert transport.asked == [1]


def test_a_failed_page_fails_the_call_with_its_error_and_leaves_nothing_running() -> None:
    items = items_of(range(10_000))
    pages = pages_of(items)

    def answer(number: int) -> httpx.Response:
        if number == 3:
            return httpx.Response(404, json={"title": "Not Found", "detail": "gone"})
        if number == 4:  # fails sooner, but page 3 comes first, as it did read in line
            return httpx.Response(400, json={"title": "Bad Request", "detail": "bad"})
        return pages(number)

    delays = {3: 0.1, 4: 0.005}
    transport = RecordingTransport(answer, delay=lambda number: delays.get(number, 0.02))
    with pytest.raises(NotFound) as failed:
        client(transport, page_concurrency=4).list_all(ROUTE)
    assert f"GET {ROUTE}" in str(failed.value)
    assert transport.in_flight == 0
    # Pages queued behind the failure were never asked for.
    assert len(transport.asked) < 100


def test_a_page_failing_for_good_is_retried_like_any_read() -> None:
    items = items_of(range(300))
    pages = pages_of(items)
    failures = {2: 2}  # page 2 answers 503 twice, then the page

    def answer(number: int) -> httpx.Response:
        if failures.get(number):
            failures[number] -= 1
            return httpx.Response(503)
        return pages(number)

    konnect = client(RecordingTransport(answer))
    assert konnect.list_all(ROUTE) == items
    assert konnect.counter.retries() == {f"GET {ROUTE}": 2}
    bad = RecordingTransport(
        lambda n: httpx.Response(400, json={"title": "x"}) if n == 2 else pages(n)
    )
    with pytest.raises(BadRequest):
        client(bad).list_all(ROUTE)


def test_items_pushed_onto_a_later_page_while_paging_are_listed_once() -> None:
    before = items_of(range(250))
    # Ten customers created between the first page and the others, sorted before the end of
    # the first page: what page 1 ended with is now at the start of page 2.
    after = before[:95] + items_of(range(9000, 9010)) + before[95:]
    transport = RecordingTransport(
        lambda number: pages_of(before)(1) if number == 1 else pages_of(after)(number)
    )
    listed = client(transport).list_all(ROUTE)
    assert sorted(transport.asked) == [1, 2, 3]
    # Page 1 as it was, then pages 2 and 3 as they are now (five new items first) without
    # the five that moved from page 1 to page 2. (The five created within page 1 after it
    # was read are the next list's: paging cannot see them.)
    assert listed == before[:100] + after[100:105] + after[110:]


def test_a_total_that_grew_past_the_pages_asked_for_adds_a_round() -> None:
    before = items_of(range(200))
    after = items_of(range(330))
    transport = RecordingTransport(
        lambda number: pages_of(before)(1) if number == 1 else pages_of(after)(number)
    )
    assert client(transport).list_all(ROUTE) == after
    assert sorted(transport.asked) == [1, 2, 3, 4]


def test_a_total_that_shrank_while_paging_ends_with_what_is_left() -> None:
    before = items_of(range(400))
    after = items_of(range(150))
    transport = RecordingTransport(
        lambda number: pages_of(before)(1) if number == 1 else pages_of(after)(number)
    )
    assert client(transport).list_all(ROUTE) == after
    assert sorted(transport.asked) == [1, 2, 3, 4]


def test_a_page_size_the_server_lowered_decides_how_many_pages_follow() -> None:
    items = items_of(range(95))
    transport = RecordingTransport(pages_of(items, size=10))
    assert client(transport).list_all(ROUTE) == items
    assert sorted(transport.asked) == list(range(1, 11))


def test_a_page_size_lowered_without_saying_so_is_taken_from_the_first_page() -> None:
    items = items_of(range(95))

    def answer(number: int) -> httpx.Response:
        body = {"data": items[(number - 1) * 30 : number * 30], "meta": {"page": {"total": 95}}}
        return httpx.Response(200, json=body)

    transport = RecordingTransport(answer)
    assert client(transport).list_all(ROUTE) == items
    assert sorted(transport.asked) == [1, 2, 3, 4]


def test_pages_are_given_as_they_come_so_the_caller_acts_on_the_first_meanwhile() -> None:
    items = items_of(range(300))
    transport = RecordingTransport(pages_of(items))
    pages = client(transport).pages(ROUTE)
    assert next(pages) == items[:100]
    # The caller has the first page before any later page is asked for.
    assert transport.asked == [1]
    assert [item for page in pages for item in page] == items[100:]
    assert sorted(transport.asked) == [1, 2, 3]


def test_later_pages_can_share_the_callers_pool_and_its_bound() -> None:
    items = items_of(range(1000))
    transport = RecordingTransport(pages_of(items))
    with ThreadPoolExecutor(2) as pool:
        pages = client(transport, page_concurrency=8).pages(ROUTE, submit=pool.submit)
        assert [item for page in pages for item in page] == items
    assert transport.most_in_flight == 2


def test_a_caller_that_stops_reading_leaves_no_page_running_or_queued() -> None:
    items = items_of(range(1000))
    transport = RecordingTransport(pages_of(items))
    pages = client(transport, page_concurrency=2).pages(ROUTE)
    next(pages)
    next(pages)
    pages.close()
    asked = len(transport.asked)
    time.sleep(0.1)
    assert transport.in_flight == 0
    assert len(transport.asked) == asked < 10
