"""Bearer auth, unknown routes and wrong methods, in the AIP error shape."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.konnect_api.contract import ContractClient


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Basic sandbox-konnect-token", "sandbox-konnect-token"],
)
def test_missing_or_wrong_token_is_401(asgi: TestClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = asgi.get("/v3/openmeter/customers", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["instance"].startswith("kong:trace:")
    assert "wrong-token" not in response.text


def test_the_configured_token_is_accepted(konnect: ContractClient) -> None:
    assert konnect.get("/openmeter/apps").status_code == 200


def test_unknown_route_is_404_problem(konnect: ContractClient) -> None:
    response = konnect.client.get("/v3/openmeter/nothing-here", headers=konnect.headers)
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_wrong_method_is_405_problem(konnect: ContractClient) -> None:
    response = konnect.client.patch("/v3/openmeter/customers", headers=konnect.headers)
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_non_ulid_ids_are_404_everywhere(konnect: ContractClient) -> None:
    for path in (
        "/openmeter/profiles/123",
        "/openmeter/customers/abc/billing",
        "/openmeter/tax-codes/x",
    ):
        assert konnect.get(path, check_request=False).status_code == 404


def test_empty_body_is_400_required(konnect: ContractClient) -> None:
    response = konnect.client.post("/v3/openmeter/customers", headers=konnect.headers)
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["rule"] == "required"


def test_malformed_json_is_400(konnect: ContractClient) -> None:
    response = konnect.client.post(
        "/v3/openmeter/customers", headers=konnect.headers, content=b"{not json"
    )
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["rule"] == "unmarshal"


def test_wrong_token_problem_matches_the_document(konnect: ContractClient) -> None:
    response = konnect.get("/openmeter/profiles", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
