"""Fault injection: reproducible with a seed, each fault in its API's shape, as clients see it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Literal

import httpx
import pytest
import stripe
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN, FaultSettings
from reconciler.sandbox.faults import FaultPlan, TokenBucket, _commit_then_drop
from tests.conftest import SANDBOX_STRIPE_KEY

STRIPE_AUTH = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}
KONNECT_AUTH = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}


def _faults(plan: FaultPlan, count: int) -> list[str | None]:
    return [plan.decide("stripe", "POST").fault for _ in range(count)]


def test_same_seed_same_faults_other_seed_other_faults() -> None:
    settings = FaultSettings(fault_rate=0.3, drop_rate=0.3, seed=7)
    first = _faults(FaultPlan(settings), 200)
    assert first == _faults(FaultPlan(settings), 200)
    assert first != _faults(FaultPlan(settings.model_copy(update={"seed": 8})), 200)
    assert {"500", "503", "429", "drop", None} == set(first)


def test_fault_rate_is_roughly_the_share_of_faulted_requests() -> None:
    plan = FaultPlan(FaultSettings(fault_rate=0.25, seed=1))
    faults = _faults(plan, 4000)
    assert 0.2 < sum(fault is not None for fault in faults) / len(faults) < 0.3


def test_reads_are_never_dropped() -> None:
    plan = FaultPlan(FaultSettings(drop_rate=1.0, seed=1))
    assert plan.decide("konnect", "GET").fault is None
    assert plan.decide("konnect", "PUT").fault == "drop"


def test_a_route_fault_answers_every_request_to_that_route_only(tmp_path: Path) -> None:
    billing = "PUT /v3/openmeter/customers/{customer_id}/billing"
    with _app_client(tmp_path) as client:
        client.headers.update(KONNECT_AUTH)
        client.put("/_sandbox/faults", json={"route_faults": {billing: 403}})
        customer = client.post("/v3/openmeter/customers", json={"key": "a", "name": "A"}).json()
        path = f"/v3/openmeter/customers/{customer['id']}"
        refused = [client.put(path + "/billing", json={}).status_code for _ in range(3)]
        renamed = client.put(path, json={"name": "B"})
        log = client.get("/_sandbox/requests").json()["data"]
    assert refused == [403, 403, 403]
    assert renamed.status_code == 200
    assert [e["fault"] for e in log if e["method"] == "PUT"] == ["403", "403", "403", None]


def test_route_faults_answer_errors_only(tmp_path: Path) -> None:
    with _app_client(tmp_path) as client:
        wrong = client.put("/_sandbox/faults", json={"route_faults": {"GET /v1/account": 200}})
    assert wrong.status_code == 400
    assert "4xx or 5xx" in wrong.text


def test_a_route_answer_is_sent_as_is_and_the_request_never_runs(tmp_path: Path) -> None:
    create = "POST /v3/openmeter/customers"
    redirect = {"status": 307, "location": "https://other.example/v3/openmeter/customers"}
    with _app_client(tmp_path) as client:
        client.headers.update(KONNECT_AUTH)
        client.put("/_sandbox/faults", json={"route_answers": {create: redirect}})
        moved = client.post(
            "/v3/openmeter/customers", json={"key": "a", "name": "A"}, follow_redirects=False
        )
        html = {"status": 200, "body": "<html>login</html>", "content_type": "text/html"}
        client.put("/_sandbox/faults", json={"route_answers": {"GET /v3/openmeter/apps": html}})
        page = client.get("/v3/openmeter/apps")
        client.put("/_sandbox/faults", json={})
        customers = client.get("/v3/openmeter/customers").json()["data"]
    assert (moved.status_code, moved.headers["location"]) == (307, redirect["location"])
    assert (page.status_code, page.headers["content-type"], page.text) == (
        200,
        "text/html",
        "<html>login</html>",
    )
    assert customers == []


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(2, clock=lambda: now[0])
    assert [bucket.take() for _ in range(2)] == [0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take() == 0.0


def _app_client(tmp_path: Path, **settings: object) -> TestClient:
    config = SandboxConfig.model_validate({"db_path": tmp_path / "faults.db", **settings})
    return TestClient(create_app(config), base_url="http://sandbox.test")


def test_seeded_sandboxes_answer_the_same_sequence(tmp_path: Path) -> None:
    def statuses(name: str) -> list[int]:
        with _app_client(tmp_path / name, fault_rate=0.5, seed=42) as client:
            return [client.get("/v1/customers", headers=STRIPE_AUTH).status_code for _ in range(30)]

    first = statuses("a")
    assert first == statuses("b")
    assert 200 in first and len(set(first)) > 1


def test_admin_routes_are_never_faulted(tmp_path: Path) -> None:
    with _app_client(tmp_path, fault_rate=1.0, rate_limit=1) as client:
        assert {client.get("/_sandbox/health").status_code for _ in range(5)} == {200}
        assert client.get("/_sandbox/stats").json()["total"] == 0


def test_injected_errors_take_each_apis_shape(tmp_path: Path) -> None:
    with _app_client(tmp_path, fault_rate=1.0) as client:
        client.put("/_sandbox/faults", json={"fault_rate": 1.0, "fault_statuses": [429]})
        konnect = client.get("/v3/openmeter/customers")
        stripe_429 = client.get("/v1/customers", headers=STRIPE_AUTH)
        client.put("/_sandbox/faults", json={"fault_rate": 1.0, "fault_statuses": [503]})
        stripe_503 = client.get("/v1/customers", headers=STRIPE_AUTH)
    assert konnect.status_code == 429
    assert konnect.headers["content-type"] == "application/problem+json"
    assert konnect.headers["retry-after"] == "1"
    assert {"type", "status", "title", "detail", "instance"} <= konnect.json().keys()
    assert konnect.json()["status"] == 429
    assert stripe_429.status_code == 429 and stripe_429.headers["retry-after"] == "1"
    assert stripe_429.json()["error"]["type"] == "invalid_request_error"
    assert stripe_429.json()["error"]["code"] == "rate_limit"
    assert stripe_503.status_code == 503 and stripe_503.json()["error"]["type"] == "api_error"


def test_rate_limit_is_per_api(tmp_path: Path) -> None:
    with _app_client(tmp_path, rate_limit=2) as client:
        stripe_statuses = [
            client.get("/v1/customers", headers=STRIPE_AUTH).status_code for _ in range(5)
        ]
        konnect = client.get("/v3/openmeter/customers")
        limited = client.get("/v1/customers", headers=STRIPE_AUTH)
        faults = client.get("/_sandbox/stats").json()["faults"]
    assert stripe_statuses[:2] == [200, 200]
    assert 429 in stripe_statuses[2:]
    assert konnect.status_code != 429  # Stripe's bucket is empty, Konnect's is not
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limit"
    assert faults["rate_limit"] >= 2


def test_latency_is_added_to_api_requests_only(tmp_path: Path) -> None:
    with _app_client(tmp_path, latency_ms=150) as client:
        started = time.perf_counter()
        client.get("/_sandbox/health")
        admin_seconds = time.perf_counter() - started
        started = time.perf_counter()
        client.get("/v1/customers", headers=STRIPE_AUTH)
        api_seconds = time.perf_counter() - started
    assert api_seconds >= 0.15
    assert admin_seconds < 0.15


def _set_faults(admin: httpx.Client, **settings: object) -> None:
    response = admin.put("/faults", json=settings)
    assert response.status_code == 200, response.text


def test_commit_then_drop_commits_the_write_but_httpx_sees_a_broken_response(
    sandbox_server: SandboxServer, admin: httpx.Client
) -> None:
    _set_faults(admin, drop_rate=1.0, seed=3)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            sandbox_server.url + "/v1/customers", data={"name": "Dropped"}, headers=STRIPE_AUTH
        )
    stored = admin.get("/collections/stripe.customers").json()["data"]
    assert [customer["name"] for customer in stored] == ["Dropped"]
    assert admin.get("/requests").json()["data"][-1]["fault"] == "drop"


def test_commit_then_drop_is_a_connection_error_for_the_stripe_sdk(
    admin: httpx.Client, stripe_client: stripe.StripeClient
) -> None:
    _set_faults(admin, drop_rate=1.0)
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.customers.create(params={"name": "Dropped"})
    _set_faults(admin)
    names = [customer.name for customer in stripe_client.v1.customers.list().data]
    assert names == ["Dropped"]


def test_a_dropped_empty_response_is_still_cut_short() -> None:
    handled: list[str] = []

    async def no_content(scope: Scope, receive: Receive, send: Send) -> None:
        handled.append(scope["method"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[Message] = []

    async def capture(message: Message) -> None:
        sent.append(message)

    async def nothing() -> Message:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "DELETE"}
    asyncio.run(_commit_then_drop(no_content, scope, nothing, capture))
    assert handled == ["DELETE"]
    assert sent[0]["status"] == 204 and (b"content-length", b"1") in sent[0]["headers"]
    assert sent[1] == {"type": "http.response.body", "body": b"", "more_body": True}


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, stripe.RateLimitError), (500, stripe.APIError), (503, stripe.APIError)],
)
def test_injected_errors_raise_the_stripe_sdks_own_errors(
    admin: httpx.Client,
    stripe_client: stripe.StripeClient,
    status: int,
    error: type[stripe.StripeError],
) -> None:
    _set_faults(admin, fault_rate=1.0, fault_statuses=[status])
    with pytest.raises(error) as raised:
        stripe_client.v1.customers.list()
    assert raised.value.http_status == status


def test_injected_konnect_errors_over_http(admin: httpx.Client, konnect_http: httpx.Client) -> None:
    _set_faults(admin, fault_rate=1.0, fault_statuses=[429], retry_after_seconds=3)
    response = konnect_http.get("/customers")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["title"] == "Too Many Requests"


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_drop_cuts_the_connection_with_either_http_implementation(
    sandbox_config: SandboxConfig, http: Literal["h11", "httptools"]
) -> None:
    with SandboxServer(sandbox_config, http=http) as server:
        server.sandbox.set_faults(FaultSettings(drop_rate=1.0))
        with httpx.Client(base_url=server.url, headers=STRIPE_AUTH) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                client.post("/v1/customers", data={"name": "Cut"})
            server.sandbox.set_faults(FaultSettings())
            assert client.get("/v1/customers").json()["data"][0]["name"] == "Cut"


def test_server_side_rate_limit_as_the_clients_see_it(
    admin: httpx.Client, stripe_client: stripe.StripeClient, konnect_http: httpx.Client
) -> None:
    _set_faults(admin, stripe_rate_limit=1, konnect_rate_limit=1)
    stripe_client.v1.customers.list()
    with pytest.raises(stripe.RateLimitError) as raised:
        stripe_client.v1.customers.list()
    assert raised.value.error is not None and raised.value.error.code == "rate_limit"

    konnect_http.get("/customers")
    limited = konnect_http.get("/customers")
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
