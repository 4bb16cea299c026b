"""A property-based contract test of the Konnect side against the official v3 document.

For every operation of the document that the sandbox routes, requests generated from the
document's own schemas (path, query and body) must get a status the operation declares and a
body that validates against it; queries the document refuses must get a 400 problem naming
the query. Ids are mostly those of objects that exist, else ULIDs nobody issued, so that
both the found and the not-found answers are checked; the examples of one operation share a
world, as a client's calls would. Bounded: a fixed number of examples per operation,
derandomized, so that a run is reproducible and takes seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.konnect_api import routes as konnect_routes
from reconciler.sandbox.stripe_api.world import BUILT_IN_TEST_KEY
from tests.conftest import spec_missing
from tests.sandbox.konnect_api.conftest import (
    create_customer,
    create_profile,
    install_sandbox_app,
    install_stripe,
    v3_document_path,
)
from tests.sandbox.konnect_api.contract import (
    STATUS_AS_DECLARED,
    ContractClient,
    SpecRequest,
)
from tests.sandbox.konnect_api.schema_strategies import SchemaStrategies
from tests.sandbox.konnect_api.test_catalog import (
    assign,
    create_addon,
    create_feature,
    create_meter,
    create_plan,
    plan_body,
)

BOUNDED = settings(
    max_examples=12,  # per operation
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
METHODS = ("get", "post", "put", "delete")
ULID_PATTERN = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
# Statuses the real server sends although the operation does not declare them: conflicts
# on keys that must be unique among live objects, and writes to system-managed tax codes.
UNDECLARED = {
    ("post", "/openmeter/customers"): {409},  # a live customer has the key
    ("put", "/openmeter/customers/{customerId}"): {409},  # a subject key has another owner
    ("post", "/openmeter/tax-codes"): {409},  # a live tax code has the key
    ("put", "/openmeter/tax-codes/{taxCodeId}"): {409},  # the code is managed by the system
    ("post", "/openmeter/meters"): {409},  # a live meter has the key
    ("delete", "/openmeter/meters/{meterId}"): {409},  # active features use the meter
    ("post", "/openmeter/features"): {404, 409},  # no such meter; a live feature has the key
    ("post", "/openmeter/plans/{planId}/addons"): {409},  # the plan has the add-on already
}


def _document() -> dict[str, Any] | None:
    path = v3_document_path()
    return yaml.safe_load(path.read_text()) if path.is_file() else None


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _routed(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The document's operations whose path and method the sandbox routes."""
    served: set[tuple[str, str]] = set()
    for route in konnect_routes():
        methods = getattr(route, "methods", None) or set()
        if "{path" in route.path:  # the catch-all answering unknown paths
            continue
        served |= {(method.lower(), _template(route.path)) for method in methods}
    return [
        (method, path)
        for path, operations in document["paths"].items()
        for method in METHODS
        if method in operations and (method, _template(path.removeprefix("/openmeter"))) in served
    ]


def _parameters(document: dict[str, Any], method: str, path: str) -> list[dict[str, Any]]:
    declared = document["components"].get("parameters", {})
    operation = document["paths"][path][method]
    return [
        declared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p
        for p in operation.get("parameters", [])
    ]


DOCUMENT = _document()
OPERATIONS = (
    [
        pytest.param(method, path, id=f"{method.upper()} {path}")
        for method, path in _routed(DOCUMENT)
    ]
    if DOCUMENT is not None
    else [
        pytest.param(
            None,
            None,
            marks=pytest.mark.skip(reason=spec_missing("v3", v3_document_path())),
        )
    ]
)
# The paged lists: the operations with query parameters to get wrong.
LIST_OPERATIONS = [
    param
    for param in OPERATIONS
    if DOCUMENT is None or any(p["name"] == "page" for p in _parameters(DOCUMENT, *param.values))
]


class World:
    """A sandbox holding one object of each kind, and the contract-checked client on it."""

    def __init__(self, client: ContractClient) -> None:
        self.client = client
        stripe_app = install_stripe(client)
        apps = [stripe_app["id"], install_sandbox_app(client)["id"]]
        tax_code = {"key": "saas", "name": "SaaS", "app_mappings": []}
        # Path parameters and references by what they name, to hit objects that exist.
        self.ids = {
            "app": apps,
            "profile": [create_profile(client, stripe_app["id"])["id"]],
            "customer": [create_customer(client, "acme")["id"]],
            "tax_code": [client.post("/openmeter/tax-codes", json=tax_code).json()["id"]],
        }
        self.ids |= _catalog(client, self.ids["tax_code"][0])

    def existing(self, kind: str) -> st.SearchStrategy[str]:
        """Mostly an id of that kind that exists, else a ULID nobody issued."""
        nobodys = st.from_regex(ULID_PATTERN, fullmatch=True)
        return st.integers(0, 3).flatmap(
            lambda n: nobodys if n == 0 else st.sampled_from(self.ids[kind])
        )

    def strategies(self, document: dict[str, Any], *, query: bool = False) -> SchemaStrategies:
        every_id = [id for ids in self.ids.values() for id in ids]
        some_key = st.one_of(st.just(BUILT_IN_TEST_KEY), st.text(max_size=30))
        hints: dict[str, st.SearchStrategy[Any]] = {
            "ULID": st.one_of(
                st.sampled_from(every_id), st.from_regex(ULID_PATTERN, fullmatch=True)
            ),
            "appId": self.existing("app"),
            "id": self.existing("profile"),
            "customerId": self.existing("customer"),
            "taxCodeId": self.existing("tax_code"),
            "BillingAppReference": st.fixed_dictionaries({"id": self.existing("app")}),
            "BillingProfileReference": st.fixed_dictionaries({"id": self.existing("profile")}),
            "TaxCodeReference": st.fixed_dictionaries({"id": self.existing("tax_code")}),
            "meterId": self.existing("meter"),
            "featureId": self.existing("feature"),
            "planId": self.existing("plan"),
            "FeatureReference": st.fixed_dictionaries({"id": self.existing("feature")}),
            "addonId": self.existing("addon"),
            "planAddonId": self.existing("plan_addon"),
            "AddonReference": st.fixed_dictionaries({"id": self.existing("addon")}),
            "api_key": some_key,
            "secret_api_key": some_key,
            "SortQuery": st.one_of(
                st.sampled_from(["name", "id", "created_at desc", "name asc"]), st.text()
            ),
        }
        if query:
            hints["size"] = st.integers(-1, 120)
            hints["number"] = st.integers(-1, 4)
        return SchemaStrategies(document, hints)


def _catalog(client: ContractClient, tax_code_id: str) -> dict[str, list[str]]:
    """A meter, a feature on it, a plan (a draft) selling it with a tax code, and an add-on
    assigned to the plan."""
    meter = create_meter(client)
    feature = create_feature(client, meter_id=meter["id"])
    plan = create_plan(client, plan_body(tax_code_id=tax_code_id, feature_id=feature["id"]))
    addon = create_addon(client)
    assigned = assign(client, plan["id"], addon["id"]).json()
    return {
        "meter": [meter["id"]],
        "feature": [feature["id"]],
        "plan": [plan["id"]],
        "addon": [addon["id"]],
        "plan_addon": [assigned["id"]],
    }


@pytest.fixture
def world(v3_spec: OpenAPI, tmp_path: Path) -> Iterator[World]:
    app = create_app(SandboxConfig(db_path=tmp_path / "sandbox.db"))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield World(ContractClient(v3_spec, client, SandboxConfig().konnect_token))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _serialized(parameter: dict[str, Any], value: Any) -> dict[str, str]:
    """A query parameter as the server reads it: deepObject brackets, else the plain value.
    Empty values are left out: the document allows none (`allowEmptyValue` is unset)."""
    name = parameter["name"]
    pairs: dict[str, str] = {}
    if parameter.get("style") != "deepObject":
        pairs[name] = _query_value(value)
    else:
        for key, item in value.items():
            if isinstance(item, dict):
                pairs.update({f"{name}[{key}][{k}]": _query_value(v) for k, v in item.items()})
            else:
                pairs[f"{name}[{key}]"] = _query_value(item)
    return {key: text for key, text in pairs.items() if text}


@st.composite
def generated_requests(
    draw: Any, world: World, document: dict[str, Any], method: str, path: str
) -> Any:
    values = world.strategies(document)
    query_values = world.strategies(document, query=True)
    url, query = path, {}
    for parameter in _parameters(document, method, path):
        if parameter["in"] == "path":
            hinted = parameter["name"] in values.hints
            value = draw(
                values.hints[parameter["name"]] if hinted else values.of(parameter["schema"])
            )
            url = url.replace("{" + parameter["name"] + "}", str(value))
        elif parameter["in"] == "query" and draw(st.booleans()):
            query.update(_serialized(parameter, draw(query_values.of(parameter["schema"]))))
    body = None
    content = document["paths"][path][method].get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = draw(values.of(content["application/json"]["schema"]))
    return url, query, body


def _nested(query: dict[str, str]) -> bool:
    # openapi-core reads one level of deepObject brackets; `filter[key][eq]` is beyond it.
    return any(key.count("[") > 1 for key in query)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_get_documented_answers(
    world: World, v3_document: dict[str, Any], method: str, path: str
) -> None:
    declared = {
        int(status)
        for status in v3_document["paths"][path][method]["responses"]
        if status.isdigit()
    } | UNDECLARED.get((method, path), set())

    @BOUNDED
    @given(request=generated_requests(world, v3_document, method, path))
    def answers_as_documented(request: tuple[str, dict[str, str], Any]) -> None:
        url, query, body = request
        response = world.client.request(
            method.upper(), url, params=query, json=body, check_request=not _nested(query)
        )
        status = STATUS_AS_DECLARED.get((method, "/v3" + url, response.status_code))
        assert (status or response.status_code) in declared, (url, query, body, response.text)

    answers_as_documented()


def _bad_queries(document: dict[str, Any], path: str) -> st.SearchStrategy[dict[str, str]]:
    """Query values the document refuses, for the parameters the list operation declares."""
    names = {parameter["name"] for parameter in _parameters(document, "get", path)}
    not_a_number = st.text(alphabet="abcxyz-_. ", min_size=1, max_size=8)
    unknown = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
    choices = [
        not_a_number.map(lambda text: {"page[size]": text}),
        not_a_number.map(lambda text: {"page[number]": text}),
        unknown.filter(lambda n: n not in ("size", "number")).map(lambda n: {f"page[{n}]": "1"}),
    ]
    if "include_deleted" in names:
        choices.append(not_a_number.map(lambda text: {"include_deleted": text}))
    if "filter" in names:
        fields = set(_filter_schema(document, path)["properties"])
        choices.append(
            unknown.filter(lambda n: n not in fields).map(lambda n: {f"filter[{n}]": "x"})
        )
        ulid_fields = sorted(f for f in fields if f.endswith("_id"))  # typed as ULIDs
        choices.extend(
            not_a_number.map(lambda text, f=f: {f"filter[{f}]": text}) for f in ulid_fields
        )
    return st.one_of(choices)


def _filter_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The schema of the list operation's own `filter` parameter."""
    parameter = next(p for p in _parameters(document, "get", path) if p["name"] == "filter")
    name = parameter["schema"]["$ref"].rsplit("/", 1)[-1]
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize(("method", "path"), LIST_OPERATIONS)
def test_queries_the_document_refuses_are_400_problems(
    world: World, v3_spec: OpenAPI, v3_document: dict[str, Any], method: str, path: str
) -> None:
    # A list under an object (a plan's add-ons) is read under one that exists: a path
    # that names none is a 404 before the query is looked at.
    url = path.replace("{planId}", world.ids["plan"][0])

    @BOUNDED
    @given(query=_bad_queries(v3_document, path))
    def refused(query: dict[str, str]) -> None:
        response = world.client.request(method.upper(), url, params=query, check_request=False)
        with pytest.raises(OpenAPIError):  # the document refuses it too
            v3_spec.validate_request(SpecRequest(response.request))
        assert response.status_code == 400, (query, response.text)
        assert {p["source"] for p in response.json()["invalid_parameters"]} == {"query"}

    refused()
