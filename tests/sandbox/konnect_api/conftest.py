"""Konnect fixtures: a contract-checked client and ready-made apps, profiles and customers."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_core import Config, OpenAPI
from starlette.applications import Starlette
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig
from tests.conftest import SANDBOX_STRIPE_KEY, SPECS_DIR, spec_missing
from tests.sandbox.konnect_api.contract import (
    SPEC_FILE,
    ContractClient,
    with_exploded_deep_objects,
)

SUPPLIER = {
    "name": "Acme Inc.",
    "addresses": {"billing_address": {"country": "US", "city": "Austin"}},
}


# The official v3 OpenAPI document itself, wherever the other documents are.
DOCUMENT_VARIABLE = "RECONCILE_V3_OPENAPI"


def v3_document_path() -> Path:
    return Path(os.environ.get(DOCUMENT_VARIABLE) or SPECS_DIR / SPEC_FILE)


@pytest.fixture(scope="session")
def v3_document() -> dict[str, Any]:
    path = v3_document_path()
    if not path.is_file():
        pytest.skip(spec_missing("v3", path))
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


@pytest.fixture(scope="session")
def v3_spec(v3_document: dict[str, Any]) -> OpenAPI:
    document = with_exploded_deep_objects(copy.deepcopy(v3_document))
    # Error bodies are `application/problem+json`, which is JSON.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


@pytest.fixture
def konnect(
    v3_spec: OpenAPI, sandbox_app: Starlette, sandbox_config: SandboxConfig
) -> Iterator[ContractClient]:
    with TestClient(sandbox_app, base_url="http://sandbox.test") as client:
        yield ContractClient(v3_spec, client, sandbox_config.konnect_token)


def install_stripe(konnect: ContractClient, api_key: str = SANDBOX_STRIPE_KEY) -> dict[str, Any]:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={
            "type": "stripe",
            "name": "Stripe",
            "api_key": api_key,
            "create_billing_profile": False,
        },
    )
    assert response.status_code == 200, response.text
    app: dict[str, Any] = response.json()["app"]
    return app


def install_sandbox_app(konnect: ContractClient) -> dict[str, Any]:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={"type": "sandbox", "name": "Sandbox", "create_billing_profile": False},
    )
    assert response.status_code == 200, response.text
    app: dict[str, Any] = response.json()["app"]
    return app


def profile_body(app_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Default",
        "supplier": SUPPLIER,
        "workflow": {},
        "apps": {"tax": {"id": app_id}, "invoicing": {"id": app_id}, "payment": {"id": app_id}},
        "default": True,
    }
    body.update(overrides)
    return body


def create_profile(konnect: ContractClient, app_id: str, **overrides: Any) -> dict[str, Any]:
    response = konnect.post("/openmeter/profiles", json=profile_body(app_id, **overrides))
    assert response.status_code == 201, response.text
    profile: dict[str, Any] = response.json()
    return profile


def create_customer(konnect: ContractClient, key: str, **fields: Any) -> dict[str, Any]:
    response = konnect.post(
        "/openmeter/customers", json={"name": key.title(), "key": key, **fields}
    )
    assert response.status_code == 201, response.text
    customer: dict[str, Any] = response.json()
    return customer


def billing_path(customer: dict[str, Any]) -> str:
    return f"/openmeter/customers/{customer['id']}/billing"


@pytest.fixture
def stripe_app(konnect: ContractClient) -> dict[str, Any]:
    return install_stripe(konnect)


@pytest.fixture
def stripe_profile(konnect: ContractClient, stripe_app: dict[str, Any]) -> dict[str, Any]:
    return create_profile(konnect, stripe_app["id"], name="Stripe")
