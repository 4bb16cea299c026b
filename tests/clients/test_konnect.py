"""Exact failure sequences the sandbox's random faults cannot promise, answered at the HTTP seam."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import httpx
import pytest

from reconciler.clients.errors import AmbiguousWrite, BadRequest, NotFound, ServerError
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import RetryPolicy

TOKEN = "kpat_" + "x" * 20


def client_answering(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None
) -> KonnectClient:
    recorded = sleeps if sleeps is not None else []
    return KonnectClient(
        "https://konnect.test/v3",
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=4, base_delay=0.01),
        sleep=recorded.append,
    )


def sequence(*answers: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    pending = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = pending.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def test_sends_bearer_token_and_accept_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "x"})

    client_answering(handler).get("/openmeter/apps/{appId}", path={"appId": "01J/../x"})
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "application/problem+json" in seen[0].headers["accept"]
    assert seen[0].url.raw_path == b"/v3/openmeter/apps/01J%2F..%2Fx"


def test_retries_503_then_succeeds_and_counts_the_retry() -> None:
    client = client_answering(sequence(httpx.Response(503), httpx.Response(200, json={"ok": 1})))
    assert client.get("/openmeter/profiles") == {"ok": 1}
    assert client.counter.requests() == {"GET /openmeter/profiles": 2}
    assert client.counter.retries() == {"GET /openmeter/profiles": 1}


def test_429_waits_at_least_retry_after_even_for_post() -> None:
    sleeps: list[float] = []
    client = client_answering(
        sequence(
            httpx.Response(429, headers={"Retry-After": "1.5"}, json={"status": 429}),
            httpx.Response(201, json={"id": "new"}),
        ),
        sleeps,
    )
    assert client.post("/openmeter/customers", {"key": "a", "name": "A"}) == {"id": "new"}
    assert sleeps == [1.5]


def test_post_is_not_resent_after_a_server_error() -> None:
    client = client_answering(sequence(httpx.Response(503, json={"title": "Unavailable"})))
    with pytest.raises(ServerError) as raised:
        client.post("/openmeter/customers", {"key": "a"})
    assert raised.value.status == 503


def test_broken_connection_after_a_post_is_an_ambiguous_write() -> None:
    client = client_answering(sequence(httpx.RemoteProtocolError("peer closed")))
    with pytest.raises(AmbiguousWrite) as raised:
        client.post("/openmeter/customers", {"key": "a"})
    assert raised.value.request_sent


def test_connect_error_is_retried_for_any_method() -> None:
    client = client_answering(
        sequence(httpx.ConnectError("refused"), httpx.Response(201, json={"id": "1"}))
    )
    assert client.post("/openmeter/customers", {"key": "a"}) == {"id": "1"}


def test_gives_up_after_max_attempts() -> None:
    client = client_answering(sequence(*[httpx.Response(502) for _ in range(4)]))
    with pytest.raises(ServerError):
        client.get("/openmeter/apps")
    assert client.counter.total("GET") == 4


def test_problem_json_and_legacy_errors_are_parsed_without_secrets() -> None:
    aip = httpx.Response(
        400,
        json={
            "status": 400,
            "title": "Bad Request",
            "detail": "validation failed",
            "instance": "kong:trace:1",
            "invalid_parameters": [{"field": "name", "reason": "required", "rule": "required"}],
        },
    )
    legacy = httpx.Response(
        404,
        json={"title": "Not Found", "detail": "no profile", "extensions": {"code": "not_found"}},
    )
    client = client_answering(sequence(aip, legacy))
    with pytest.raises(BadRequest) as bad:
        client.post("/openmeter/profiles", {})
    assert bad.value.invalid_parameters[0].field == "name"
    assert TOKEN not in str(bad.value)
    with pytest.raises(NotFound) as missing:
        client.get("/openmeter/profiles/{id}", path={"id": "01J"})
    assert missing.value.code == "not_found"
    assert "GET /openmeter/profiles/{id}" in str(missing.value)


def test_list_all_walks_every_page_using_the_size_the_server_granted() -> None:
    items = [{"id": str(n)} for n in range(7)]
    requested: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(dict(request.url.params))
        number = int(request.url.params["page[number]"])
        size = 3  # the server caps whatever size was asked for
        page = items[(number - 1) * size : number * size]
        meta = {"page": {"number": number, "size": size, "total": len(items)}}
        return httpx.Response(200, json={"data": page, "meta": meta})

    assert client_answering(handler).list_all("/openmeter/customers") == items
    assert sorted(r["page[number]"] for r in requested) == ["1", "2", "3"]
    assert {r["page[size]"] for r in requested} == {"100"}


def test_a_response_read_is_freed_without_a_garbage_collection() -> None:
    answered: list[weakref.ref[httpx.Response]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, json={"id": "x"})
        answered.append(weakref.ref(response))
        return response

    client = client_answering(handler)
    gc.disable()
    try:
        assert client.get("/openmeter/apps/{appId}", path={"appId": "x"}) == {"id": "x"}
        [response] = answered
        assert response() is None
    finally:
        gc.enable()
