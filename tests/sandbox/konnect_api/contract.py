"""Every exchange a Konnect test makes, checked against the official v3 OpenAPI document.

The document's paths start at `/openmeter`, served under `/v3`; its Konnect server entry
`https://{region}.api.konghq.com/v3` is what requests are matched against.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from starlette.testclient import TestClient
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE = "openmeter-v3-openapi.yaml"
SERVER = "https://us.api.konghq.com"
MOUNT = "/v3"


def with_exploded_deep_objects(document: dict[str, Any]) -> dict[str, Any]:
    """The document with `explode: true` on deepObject parameters.

    `page[size]=…` is how the server reads them, but the document leaves `explode` unset and
    openapi-core only deserializes exploded deep objects.
    """
    parameters = list(document.get("components", {}).get("parameters", {}).values())
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                parameters.extend(operation.get("parameters", []))
    for parameter in parameters:
        if parameter.get("style") == "deepObject":
            parameter["explode"] = True
    return document


class SpecRequest:
    """An httpx request as openapi-core reads one."""

    def __init__(self, request: httpx.Request) -> None:
        self.host_url = SERVER
        self.path = request.url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "application/json").lower()
        query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


# The real server answers these with another status than the document declares; the body
# is still checked, against the declared status's schema.
STATUS_AS_DECLARED = {("post", "/v3/openmeter/app-catalog/install", 200): 201}


# Rules the real server emits for binding errors although the document's list lacks them.
SERVER_ONLY_RULES = {"format", "unmarshal", "too_many_values"}


class SpecResponse:
    def __init__(self, response: httpx.Response) -> None:
        key = (response.request.method.lower(), response.request.url.path, response.status_code)
        self.status_code = STATUS_AS_DECLARED.get(key, response.status_code)
        self.content_type = response.headers.get("content-type", "").lower()
        self.headers: Mapping[str, Any] = Headers(list(response.headers.items()))
        self.data: bytes | None = _with_documented_rules(response.content) or None


def _with_documented_rules(content: bytes) -> bytes:
    """The body with server-only rules read as the document's catch-all `invalid`."""
    if b"invalid_parameters" not in content:
        return content
    body = json.loads(content)
    for parameter in body.get("invalid_parameters", []):
        if parameter.get("rule") in SERVER_ONLY_RULES:
            parameter["rule"] = "invalid"
    return json.dumps(body).encode()


def is_legacy_billing_error(response: httpx.Response) -> bool:
    """The older billing error body the real server still emits (no `invalid_parameters`)."""
    if response.status_code < 400 or not response.content:
        return False
    body = response.json()
    return isinstance(body, dict) and "code" in (body.get("extensions") or {})


def undeclared_problem(spec: OpenAPI, request: SpecRequest, response: httpx.Response) -> bool:
    """An error status the operation does not declare, which the real server still sends.

    Examples: 409 on a duplicate tax-code key, 410 on a deleted profile's update.
    """
    if response.status_code < 400:
        return False
    try:
        spec.validate_response(request, SpecResponse(response))
    except ResponseNotFound:
        return True
    return False


def check_base_error(response: httpx.Response) -> None:
    """The fields every error body of the v3 API carries (its `BaseError`)."""
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    for field in ("title", "instance", "detail"):
        assert isinstance(body[field], str), field


class ContractClient:
    """A Konnect client on the in-process sandbox that validates requests and responses."""

    def __init__(self, spec: OpenAPI, client: TestClient, token: str) -> None:
        self.spec = spec
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.exchanges = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        check_request: bool = True,
    ) -> httpx.Response:
        """Send one call; `check_request=False` for requests that deliberately break the spec."""
        response = self.client.request(
            method,
            MOUNT + path,
            json=json,
            params=params,
            headers={**self.headers, **(headers or {})},
        )
        request = SpecRequest(response.request)
        if check_request:
            self.spec.validate_request(request)
        if is_legacy_billing_error(response) or undeclared_problem(self.spec, request, response):
            check_base_error(response)
        else:
            self.spec.validate_response(request, SpecResponse(response))
        self.exchanges += 1
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)
