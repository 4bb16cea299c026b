"""reconcile's own Konnect client against the Konnect side over a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.clients.errors import BadRequest, Conflict, Gone
from reconciler.clients.konnect import KonnectClient
from reconciler.kinds.stripe_app import INSTALLED
from reconciler.sandbox import SandboxConfig, SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY

SUPPLIER = {"name": "Acme", "addresses": {"billing_address": {"country": "US"}}}


@pytest.fixture
def client(sandbox_server: SandboxServer, sandbox_config: SandboxConfig) -> Iterator[KonnectClient]:
    with KonnectClient(
        sandbox_server.url + "/v3", sandbox_config.konnect_token, page_size=3
    ) as konnect:
        yield konnect


def test_paging_reads_every_customer(client: KonnectClient) -> None:
    keys = [f"customer-{index:02d}" for index in range(8)]
    for key in keys:
        client.post("/openmeter/customers", {"name": key, "key": key})
    listed = client.list_all("/openmeter/customers")
    assert [customer["key"] for customer in listed] == keys
    assert client.counter.requests()["GET /openmeter/customers"] == 3


def test_both_error_shapes_reach_the_client(client: KonnectClient) -> None:
    app = client.post(
        "/openmeter/app-catalog/install",
        {
            "type": "stripe",
            "name": "S",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": False,
        },
        expect=INSTALLED,
    )["app"]
    apps = {role: {"id": app["id"]} for role in ("tax", "invoicing", "payment")}
    body = {"name": "P", "supplier": SUPPLIER, "workflow": {}, "apps": apps, "default": True}
    profile = client.post("/openmeter/profiles", body)
    unset = {"name": "P", "supplier": SUPPLIER, "workflow": {}, "default": False}
    with pytest.raises(BadRequest) as legacy:
        client.put("/openmeter/profiles/{id}", unset, path={"id": profile["id"]})
    assert legacy.value.code == "default_profile_cannot_be_unset"
    with pytest.raises(BadRequest) as aip:
        client.post("/openmeter/customers", {"name": "x"})
    assert aip.value.invalid_parameters[0].field == "key"
    customer = client.post("/openmeter/customers", {"name": "x", "key": "x"})
    with pytest.raises(Conflict):
        client.post("/openmeter/customers", {"name": "x", "key": "x"})
    client.delete("/openmeter/customers/{id}", path={"id": customer["id"]})
    with pytest.raises(Gone):
        client.put("/openmeter/customers/{id}", {"name": "y"}, path={"id": customer["id"]})
