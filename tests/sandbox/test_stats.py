"""Request counts by route template, and a request log that is bounded and holds no secrets."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.stats import RouteTemplates, Traffic
from tests.conftest import SANDBOX_STRIPE_KEY

STRIPE_AUTH = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}


async def _ok(_: Request) -> Response:
    return Response()


def _templates() -> RouteTemplates:
    return RouteTemplates(
        [
            Mount(
                "/api",
                routes=[
                    Route("/things", _ok, methods=["GET"]),
                    Route("/things/{thing_id}", _ok, methods=["GET", "PUT"]),
                    Route("/{path:path}", _ok, methods=["GET", "PUT", "POST", "DELETE"]),
                ],
            ),
            Mount("/bare", routes=[Route("/only", _ok, methods=["GET"])]),
        ]
    )


def test_templates_name_the_route_not_the_path() -> None:
    templates = _templates()
    assert templates.template("GET", "/api/things/abc") == "/api/things/{thing_id}"
    assert templates.template("PUT", "/api/things/xyz") == "/api/things/{thing_id}"
    assert templates.template("GET", "/api/things") == "/api/things"


def test_a_wrong_method_counts_under_its_path_and_unknown_paths_under_the_catch_all() -> None:
    templates = _templates()
    assert templates.template("DELETE", "/api/things/abc") == "/api/things/{thing_id}"
    assert templates.template("GET", "/api/nothing/here") == "/api/{path:path}"
    assert templates.template("GET", "/bare/other") == "/bare/{unmatched}"
    assert templates.template("GET", "/elsewhere") == "{unmatched}"


def test_traffic_log_keeps_only_the_newest_requests() -> None:
    traffic = Traffic(log_size=3)
    for number in range(5):
        traffic.record(
            method="GET",
            path=f"/v1/customers/cus_{number}",
            route="/v1/customers/{customer}",
            status=200,
            idempotency_key=None,
            fault=None,
        )
    assert [entry["path"] for entry in traffic.recent()] == [
        "/v1/customers/cus_2",
        "/v1/customers/cus_3",
        "/v1/customers/cus_4",
    ]
    assert len(traffic.recent(1)) == 1
    assert traffic.stats()["requests"] == {"GET /v1/customers/{customer}": 5}


def test_stats_count_api_requests_by_template_and_reset(asgi: TestClient) -> None:
    for customer in ("cus_one", "cus_two"):
        asgi.get(f"/v1/customers/{customer}", headers=STRIPE_AUTH)
    asgi.get("/v1/customers", headers=STRIPE_AUTH)
    asgi.get("/v3/openmeter/customers")
    asgi.get("/_sandbox/collections")  # admin traffic is not counted

    stats = asgi.get("/_sandbox/stats").json()
    assert stats["requests"]["GET /v1/customers/{customer}"] == 2
    assert stats["requests"]["GET /v1/customers"] == 1
    assert stats["requests"]["GET /v3/openmeter/customers"] == 1
    assert stats["total"] == 4
    assert stats["faults"] == {}

    assert asgi.delete("/_sandbox/stats").status_code == 204
    assert asgi.get("/_sandbox/stats").json() == {"total": 0, "requests": {}, "faults": {}}


def test_request_log_is_bounded_and_free_of_secrets(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "log.db", request_log_size=4)
    konnect_auth = {"Authorization": f"Bearer {config.konnect_token}"}
    with TestClient(create_app(config), base_url="http://sandbox.test") as client:
        for number in range(6):
            client.post(
                "/v1/customers",
                data={"name": f"Customer {number}", "description": "secret-body-text"},
                headers={**STRIPE_AUTH, "Idempotency-Key": f"key-{number}"},
            )
        client.get("/v3/openmeter/customers?page[size]=5", headers=konnect_auth)
        log = client.get("/_sandbox/requests").json()["data"]
        last_two = client.get("/_sandbox/requests", params={"limit": 2}).json()["data"]

    assert len(log) == 4
    assert [entry["idempotency_key"] for entry in log[:3]] == ["key-3", "key-4", "key-5"]
    assert log[0] == {
        "method": "POST",
        "path": "/v1/customers",
        "route": "/v1/customers",
        "status": 200,
        "idempotency_key": "key-3",
        "fault": None,
        "at": log[0]["at"],
    }
    assert log[0]["at"].endswith("Z")
    assert log[-1]["route"] == "/v3/openmeter/customers"
    assert last_two == log[-2:]
    text = json.dumps(log)
    for secret in (SANDBOX_STRIPE_KEY, config.konnect_token, "secret-body-text"):
        assert secret not in text


def test_request_log_can_be_cleared(asgi: TestClient) -> None:
    asgi.get("/v1/customers", headers=STRIPE_AUTH)
    assert len(asgi.get("/_sandbox/requests").json()["data"]) == 1
    assert asgi.delete("/_sandbox/requests").status_code == 204
    assert asgi.get("/_sandbox/requests").json()["data"] == []
