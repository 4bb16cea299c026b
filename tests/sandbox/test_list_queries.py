"""Every query a list page costs is served by an index: no table scan, no sort of all matches,
no OFFSET walk. So a page costs the same at any number of customers (the benchmark,
bench/sandbox_throughput.py, measures it; no test times anything)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.sandbox.store import Store
from tests.conftest import SANDBOX_STRIPE_KEY

CUSTOMERS = 120
KONNECT = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}
STRIPE = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, Store, Path]]:
    """Customers on both sides, half of the Konnect ones pinned to the default profile."""
    db = tmp_path / "world.db"
    app = create_app(SandboxConfig(db_path=db))
    with TestClient(app, base_url="http://sandbox.test") as client:
        install = {"type": "stripe", "name": "Stripe", "api_key": SANDBOX_STRIPE_KEY}
        response = client.post(
            "/v3/openmeter/app-catalog/install",
            json={**install, "create_billing_profile": True},
            headers=KONNECT,
        )
        assert response.status_code == 200, response.text
        profile = client.get("/v3/openmeter/profiles", headers=KONNECT).json()["data"][0]
        for n in range(CUSTOMERS):
            body = {"key": f"c-{n}", "name": f"Customer {n}"}
            created = client.post("/v3/openmeter/customers", json=body, headers=KONNECT)
            named = {"name": body["name"]}
            stripe = client.post("/v1/customers", data=named, headers=STRIPE).json()["id"]
            if n % 2:
                billing = {
                    "billing_profile": {"id": profile["id"]},
                    "app_data": {"stripe": {"customer_id": stripe}},
                }
                path = f"/v3/openmeter/customers/{created.json()['id']}/billing"
                answer = client.put(path, json=billing, headers=KONNECT)
                assert answer.status_code == 200, answer.text
        yield client, app.state.sandbox.store, db


def _plans(db: Path, statements: list[str]) -> dict[str, list[str]]:
    with sqlite3.connect(db) as connection:
        return {
            sql: [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql)]
            for sql in statements
            if sql.startswith("SELECT")
        }


def _walk_konnect(client: TestClient, query: dict[str, str]) -> int:
    pages = 0
    for number in range(1, CUSTOMERS // 20 + 2):
        params = {**query, "page[size]": "20", "page[number]": str(number)}
        response = client.get("/v3/openmeter/customers", params=params, headers=KONNECT)
        assert response.status_code == 200, response.text
        pages += bool(response.json()["data"])
    return pages


def test_konnect_customer_pages_use_indexes_and_read_the_order_once(
    world: tuple[TestClient, Store, Path],
) -> None:
    client, store, db = world
    profile = client.get("/v3/openmeter/profiles", headers=KONNECT).json()["data"][0]
    for query in ({}, {"filter[billing_profile_id]": profile["id"]}):
        statements: list[str] = []
        store.trace(statements.append)
        assert _walk_konnect(client, query) > 2
        store.trace(None)
        plans = _plans(db, statements)
        assert sum(sql.startswith("SELECT seq FROM") for sql in plans) == 1, plans
        for sql, steps in plans.items():
            assert all(step.startswith("SEARCH") for step in steps), (sql, steps)


def test_stripe_customer_pages_search_an_index_from_the_cursor(
    world: tuple[TestClient, Store, Path],
) -> None:
    client, store, db = world
    statements: list[str] = []
    store.trace(statements.append)
    params: dict[str, str] = {
        "limit": "25",
        "expand[]": "data.invoice_settings.default_payment_method",
    }
    pages = 0
    while True:
        answer = client.get("/v1/customers", params=params, headers=STRIPE).json()
        pages += 1
        if not answer["has_more"]:
            break
        params["starting_after"] = answer["data"][-1]["id"]
    store.trace(None)
    assert pages == 5
    for sql, steps in _plans(db, statements).items():
        assert all(step.startswith("SEARCH") for step in steps), (sql, steps)
