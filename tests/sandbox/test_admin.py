"""The generic admin API under /_sandbox: reset, seed, edit documents, faults, per-side mounts."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from reconciler.sandbox.admin import REDACTED, merge_patch
from tests.conftest import SANDBOX_STRIPE_KEY

STRIPE_AUTH = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}
DOCS = "/_sandbox/collections/demo.things"


def test_put_get_patch_delete_a_document(asgi: TestClient) -> None:
    created = asgi.put(f"{DOCS}/t1", json={"id": "t1", "name": "one", "meta": {"a": 1, "b": 2}})
    assert created.status_code == 201
    assert asgi.put(f"{DOCS}/t1", json=created.json()).status_code == 200

    patched = asgi.patch(f"{DOCS}/t1", json={"name": "uno", "meta": {"b": None, "c": 3}})
    assert patched.json() == {"id": "t1", "name": "uno", "meta": {"a": 1, "c": 3}}
    assert asgi.get(f"{DOCS}/t1").json() == patched.json()

    assert asgi.delete(f"{DOCS}/t1").status_code == 204
    assert asgi.get(f"{DOCS}/t1").status_code == 404
    assert asgi.delete(f"{DOCS}/t1").status_code == 404
    assert asgi.patch(f"{DOCS}/t1", json={"name": "x"}).status_code == 404


def test_seed_then_list_with_filters_and_paging(asgi: TestClient) -> None:
    documents = [{"id": f"t{n}", "kind": "odd" if n % 2 else "even", "n": n} for n in range(10)]
    seeded = asgi.post(DOCS, json={"documents": documents})
    assert seeded.status_code == 201 and seeded.json() == {"count": 10}

    odd = asgi.get(DOCS, params={"filter[kind]": "odd", "limit": 2, "offset": 1}).json()
    assert [doc["n"] for doc in odd["data"]] == [3, 5]
    assert odd["total"] == 5
    assert asgi.get(DOCS, params={"filter[n]": "4"}).json()["data"] == [documents[4]]

    names = asgi.get("/_sandbox/collections").json()["data"]
    assert {"name": "demo.things", "count": 10} in names


def test_bad_admin_input_is_a_400(asgi: TestClient) -> None:
    assert asgi.post(DOCS, json={"documents": [{"name": "no id"}]}).status_code == 400
    assert asgi.put(f"{DOCS}/x", content=b"not json").status_code == 400
    assert asgi.put(f"{DOCS}/x", json=[1, 2]).status_code == 400
    assert asgi.get(DOCS, params={"limit": "-1"}).status_code == 400
    assert asgi.get("/_sandbox/requests", params={"limit": "many"}).status_code == 400


def test_reset_forgets_documents_and_traffic(asgi: TestClient) -> None:
    asgi.post("/v1/customers", data={"name": "Gone soon"}, headers=STRIPE_AUTH)
    assert asgi.get("/_sandbox/collections/stripe.customers").json()["total"] == 1

    assert asgi.post("/_sandbox/reset").json() == {"reset": True}
    assert asgi.get("/_sandbox/collections").json()["data"] == []
    assert asgi.get("/_sandbox/stats").json()["total"] == 0
    assert asgi.get("/_sandbox/requests").json()["data"] == []
    listed = asgi.get("/v1/customers", headers=STRIPE_AUTH).json()
    assert listed["data"] == []


def test_out_of_band_edit_is_seen_by_the_api(asgi: TestClient) -> None:
    customer = asgi.post("/v1/customers", data={"name": "Before"}, headers=STRIPE_AUTH).json()
    asgi.patch(f"/_sandbox/collections/stripe.customers/{customer['id']}", json={"name": "After"})
    fetched = asgi.get(f"/v1/customers/{customer['id']}", headers=STRIPE_AUTH).json()
    assert fetched["name"] == "After"


def test_secret_fields_are_redacted_on_read_and_kept_on_write_back(asgi: TestClient) -> None:
    path = "/_sandbox/collections/demo.apps/a1"
    asgi.put(path, json={"id": "a1", "_api_key": SANDBOX_STRIPE_KEY, "masked_api_key": "sk_t****"})
    shown = asgi.get(path).json()
    assert shown == {"id": "a1", "_api_key": REDACTED, "masked_api_key": "sk_t****"}
    assert SANDBOX_STRIPE_KEY not in asgi.get("/_sandbox/collections/demo.apps").text

    asgi.put(path, json={**shown, "name": "renamed"})
    asgi.patch(path, json={"note": "patched"})
    stored = asgi.app.state.sandbox.store.get("demo.apps", "a1")  # type: ignore[attr-defined]
    assert stored["_api_key"] == SANDBOX_STRIPE_KEY
    assert stored["name"] == "renamed" and stored["note"] == "patched"


def test_merge_patch_replaces_non_objects_and_removes_nulls() -> None:
    target = {"a": {"b": 1}, "list": [1, 2], "gone": True}
    assert merge_patch(target, {"a": 5, "list": [3], "gone": None}) == {"a": 5, "list": [3]}
    assert target == {"a": {"b": 1}, "list": [1, 2], "gone": True}


def test_faults_are_read_replaced_and_patched(asgi: TestClient) -> None:
    assert asgi.get("/_sandbox/faults").json()["fault_rate"] == 0.0
    replaced = asgi.put("/_sandbox/faults", json={"latency_ms": 5, "seed": 9}).json()
    assert replaced["latency_ms"] == 5 and replaced["seed"] == 9
    patched = asgi.patch("/_sandbox/faults", json={"fault_rate": 0.5}).json()
    assert (patched["latency_ms"], patched["seed"], patched["fault_rate"]) == (5, 9, 0.5)

    refused = asgi.patch("/_sandbox/faults", json={"fault_rate": 2, "surprise": 1})
    assert refused.status_code == 400
    assert "fault_rate" in refused.json()["error"] and "surprise" in refused.json()["error"]
    assert asgi.get("/_sandbox/faults").json()["fault_rate"] == 0.5


def test_each_sides_admin_actions_are_mounted(asgi: TestClient) -> None:
    accounts = asgi.get("/_sandbox/stripe/accounts")
    assert accounts.status_code == 200 and "data" in accounts.json()
    missing_session = asgi.post("/_sandbox/konnect/checkout-sessions/cs_test_nothing/complete")
    assert missing_session.status_code != 405  # the route exists, the session does not
    assert missing_session.status_code >= 400


def test_admin_over_real_http(admin: httpx.Client) -> None:
    assert admin.get("/health").json() == {"status": "ok"}
    assert admin.put("/collections/demo/one", json={"id": "one"}).status_code == 201
    assert admin.get("/collections/demo/one").json() == {"id": "one"}
