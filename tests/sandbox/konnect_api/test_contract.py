"""The contract checker itself: it must reject what the v3 document rejects."""

from __future__ import annotations

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError

from tests.sandbox.konnect_api.contract import ContractClient, SpecRequest, SpecResponse


def test_a_request_breaking_the_document_is_caught(konnect: ContractClient) -> None:
    with pytest.raises(OpenAPIError):
        konnect.post("/openmeter/customers", json={"name": "missing key"})


def test_a_response_breaking_the_document_is_caught(v3_spec: OpenAPI) -> None:
    request = httpx.Request("GET", "http://sandbox.test/v3/openmeter/customers")
    broken = httpx.Response(200, json={"data": [{"id": "not-a-ulid"}], "meta": {}}, request=request)
    with pytest.raises(OpenAPIError):
        v3_spec.validate_response(SpecRequest(request), SpecResponse(broken))


def test_every_exchange_is_counted(konnect: ContractClient) -> None:
    konnect.get("/openmeter/customers")
    konnect.get("/openmeter/profiles")
    assert konnect.exchanges == 2
