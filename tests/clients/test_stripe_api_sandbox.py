"""StripeApi against the sandbox over real HTTP: paging, expansion, errors without secrets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from reconciler.clients.errors import NotFound, ServerError, Unauthorized, Unreachable
from reconciler.clients.stripe_api import StripeApi
from reconciler.sandbox import SandboxServer
from reconciler.sandbox.stripe_api import world
from tests.conftest import SANDBOX_STRIPE_KEY


@pytest.fixture
def stripe_api(sandbox_server: SandboxServer) -> Iterator[StripeApi]:
    with StripeApi(SANDBOX_STRIPE_KEY, base_url=sandbox_server.url, max_network_retries=0) as api:
        yield api


def test_reads_every_customer_in_pages_of_100_with_expanded_payment_methods(
    stripe_api: StripeApi, sandbox_server: SandboxServer
) -> None:
    store = sandbox_server.app.state.sandbox.store
    account = world.account_for_key(store, SANDBOX_STRIPE_KEY)
    assert account is not None
    for n in range(205):
        world.create_customer(store, account["id"], name=f"c{n}", email=f"c{n}@example.com")
    customers = stripe_api.customers(expand=["data.invoice_settings.default_payment_method"])
    assert len(customers) == 205
    assert len({c["id"] for c in customers}) == 205
    assert stripe_api.counter.requests() == {"GET /v1/customers": 3}


def test_account_and_missing_customer(stripe_api: StripeApi) -> None:
    assert stripe_api.account()["id"].startswith("acct_")
    with pytest.raises(NotFound) as missing:
        stripe_api.customer("cus_DoesNotExist123")
    assert missing.value.code == "resource_missing"


def test_a_revoked_key_fails_without_echoing_the_key(sandbox_server: SandboxServer) -> None:
    key = "sk_test_" + "Revoked" + "9" * 20
    world.revoke_key(sandbox_server.app.state.sandbox.store, key)
    with (
        StripeApi(key, base_url=sandbox_server.url, max_network_retries=0) as api,
        pytest.raises(Unauthorized) as refused,
    ):
        api.account()
    assert key not in str(refused.value)
    assert "Revoked9999" not in str(refused.value)


def test_the_sdks_own_resends_count_as_retries(
    sandbox_server: SandboxServer, admin: httpx.Client
) -> None:
    faults = admin.put("/faults", json={"route_faults": {"GET /v1/account": 503}})
    faults.raise_for_status()
    with StripeApi(SANDBOX_STRIPE_KEY, base_url=sandbox_server.url, max_network_retries=1) as api:
        with pytest.raises(ServerError):
            api.account()
        assert api.counter.requests() == {"GET /v1/account": 2}
        assert api.counter.retries() == {"GET /v1/account": 1}
        admin.put("/faults", json={}).raise_for_status()
        api.account()
        assert api.counter.retries() == {"GET /v1/account": 1}


def test_an_unreachable_stripe_is_named_with_the_cause_and_what_to_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    api = StripeApi(SANDBOX_STRIPE_KEY, base_url=url, max_network_retries=0)
    with api, pytest.raises(Unreachable) as refused:
        api.account()
    assert str(refused.value) == (
        "cannot reach 127.0.0.1: connection refused (check the network and any proxy)"
    )
    assert SANDBOX_STRIPE_KEY not in str(refused.value)
    with (
        StripeApi(SANDBOX_STRIPE_KEY, base_url="https://api.invalid", max_network_retries=0) as api,
        pytest.raises(Unreachable) as unresolved,
    ):
        api.account()
    assert str(unresolved.value).startswith(
        "cannot reach api.invalid: the host name does not resolve (DNS)"
    )
