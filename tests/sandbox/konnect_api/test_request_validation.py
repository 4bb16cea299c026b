"""The query and path checks the v3 server makes before any handler runs, and the app name.

Keys under a deepObject parameter must be declared properties, bracketed as deepObject style
brackets them, and given once; a path id that is not a ULID (control characters included) is
a 404, whatever the body; every answer is problem+json.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN

AUTH = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}
ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("path", "field", "rule"),
    [
        ("/customers?page[]=", "page[]", "format"),
        ("/customers?page=2", "page", "format"),
        ("/customers?page[size=2", "page[size", "format"),
        ("/apps?page[sizes]=2", "page[sizes]", "unknown_property"),
        ("/profiles?page[size][max]=2", "page[size][max]", "unknown_property"),
        ("/customers?filter[]=acme", "filter[]", "format"),
        ("/customers?filter[colour]=red", "filter[colour]", "unknown_property"),
        ("/customers?filter[key][like]=acme", "filter[key][like]", "unknown_property"),
        ("/customers?filter[billing_profile_id][contains]=x", None, "unknown_property"),
        ("/customers?filter[key][exists]=maybe", "filter[key][exists]", "is_boolean"),
        ("/customers?filter[key]=a&filter[key]=b", "filter[key]", "too_many_values"),
        ("/tax-codes?page[number]=1&page[number]=2", "page[number]", "too_many_values"),
        ("/tax-codes?include_deleted=true&include_deleted=false", "include_deleted", None),
        ("/app-catalog?page[]=1", "page[]", "format"),
        ("/apps?page[size]=1_0", "page[size]", "is_integer"),
        ("/apps?page[size]=%205", "page[size]", "is_integer"),
        ("/apps?page[number]=%D9%A3", "page[number]", "is_integer"),
    ],
)
def test_unknown_or_malformed_query_keys_are_400(
    asgi: TestClient, path: str, field: str | None, rule: str | None
) -> None:
    body = problem_of(asgi.get("/v3/openmeter" + path, headers=AUTH), 400)

    [parameter] = body["invalid_parameters"]
    assert parameter["source"] == "query"
    assert parameter["field"] == (field or path.split("?")[1].split("=")[0])
    assert parameter["rule"] == (rule or "too_many_values")


def test_declared_keys_and_names_nobody_declared_are_accepted(asgi: TestClient) -> None:
    # The server's validator ignores names its document does not declare; so does the sandbox.
    for path in (
        "/customers?filter[key][eq]=acme&filter[name][contains]=a&page[size]=5&sort=id",
        "/customers?filter[key]=acme&filter[billing_profile_id][oeq]=" + ULID,
        "/customers?trace=1",
        "/apps?filter[key]=acme",
        "/tax-codes?include_deleted=true&page[number]=2",
    ):
        assert asgi.get("/v3/openmeter" + path, headers=AUTH).status_code == 200, path


@pytest.mark.parametrize("bad_id", ["%00", "%0A", "%0D", "%1B", "%7F", ULID + "%0A", "%E2%80%AE"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/customers/{}"),
        ("PUT", "/customers/{}"),
        ("GET", "/customers/{}/billing"),
        ("PUT", "/customers/{}/billing"),
        ("PUT", "/customers/{}/billing/app-data"),
        ("POST", "/customers/{}/billing/stripe/checkout-sessions"),
        ("POST", "/customers/{}/billing/stripe/portal-sessions"),
        ("PUT", "/apps/{}"),
        ("DELETE", "/profiles/{}"),
        ("PUT", "/tax-codes/{}"),
    ],
)
def test_path_ids_with_control_characters_are_404_problems(
    asgi: TestClient, method: str, path: str, bad_id: str
) -> None:
    # An empty object is a body each PUT/POST refuses: the path is checked first.
    response = asgi.request(method, "/v3/openmeter" + path.format(bad_id), headers=AUTH, json={})

    problem_of(response, 404)


def test_stripe_paths_with_control_characters_answer_in_stripes_shape(asgi: TestClient) -> None:
    response = asgi.get("/v1/customers/%0A/sources", headers={"Authorization": "Bearer x"})

    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


@pytest.mark.parametrize("kind", ["stripe", "sandbox", "external_invoicing"])
@pytest.mark.parametrize("name", ["", "n" * 257])
def test_app_install_names_are_1_to_256_characters(asgi: TestClient, kind: str, name: str) -> None:
    body: dict[str, Any] = {"type": kind, "name": name, "create_billing_profile": False}
    if kind == "stripe":
        body["api_key"] = "sk_test_" + "reconcile" + "sandbox" + "0" * 16

    response = asgi.post("/v3/openmeter/app-catalog/install", headers=AUTH, json=body)

    [parameter] = problem_of(response, 400)["invalid_parameters"]
    assert parameter["field"] == "name"
    assert parameter["rule"] == ("min_length" if not name else "max_length")
    assert asgi.get("/v3/openmeter/apps", headers=AUTH).json()["data"] == []
