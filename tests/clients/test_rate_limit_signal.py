"""Both clients tell apply about every 429 they meet, retried or not, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from reconciler.clients.errors import RateLimited, ServerError
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import RetryPolicy
from reconciler.clients.stripe_api import StripeApi
from reconciler.core.actions import Action, ActionType, Address
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.executor import ActionResult, execute
from reconciler.sandbox import SandboxConfig, SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY


class Signals:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def no_wait(seconds: float) -> None:
    pass


def set_faults(admin: httpx.Client, **settings: object) -> None:
    response = admin.put("/faults", json=settings)
    assert response.status_code == 200, response.text


def konnect(
    server: SandboxServer, config: SandboxConfig, hook: Signals, attempts: int
) -> KonnectClient:
    return KonnectClient(
        server.url + "/v3",
        config.konnect_token,
        retry=RetryPolicy(max_attempts=attempts),
        sleep=no_wait,
        on_rate_limited=hook,
    )


def test_konnect_reports_each_429_including_the_last_one_it_gives_up_on(
    sandbox_server: SandboxServer, sandbox_config: SandboxConfig, admin: httpx.Client
) -> None:
    set_faults(admin, fault_rate=1.0, fault_statuses=[429], retry_after_seconds=0)
    hook = Signals()
    with konnect(sandbox_server, sandbox_config, hook, 3) as client, pytest.raises(RateLimited):
        client.get("/openmeter/customers")
    assert hook.count == 3


def test_konnect_reports_only_429s_and_as_many_as_it_retried(
    sandbox_server: SandboxServer, sandbox_config: SandboxConfig, admin: httpx.Client
) -> None:
    set_faults(admin, fault_rate=0.5, fault_statuses=[429], retry_after_seconds=0, seed=11)
    hook = Signals()
    with konnect(sandbox_server, sandbox_config, hook, 30) as client:
        for _ in range(10):
            client.get("/openmeter/customers")
        assert hook.count == sum(client.counter.retries().values()) > 0
    set_faults(admin, fault_rate=1.0, fault_statuses=[503])
    quiet = Signals()
    with konnect(sandbox_server, sandbox_config, quiet, 2) as client, pytest.raises(ServerError):
        client.get("/openmeter/customers")
    assert quiet.count == 0


def test_stripe_reports_each_429_and_the_hook_can_be_set_after_construction(
    sandbox_server: SandboxServer, admin: httpx.Client
) -> None:
    set_faults(admin, fault_rate=1.0, fault_statuses=[429], retry_after_seconds=0)
    hook = Signals()
    with StripeApi(
        SANDBOX_STRIPE_KEY,
        base_url=sandbox_server.url,
        retry=RetryPolicy(max_attempts=3),
        max_network_retries=0,
        sleep=no_wait,
    ) as api:
        assert api.on_rate_limited is None
        api.on_rate_limited = hook
        with pytest.raises(RateLimited):
            api.account()
    assert hook.count == 3


def test_429s_met_by_writes_lower_the_executors_concurrency(
    sandbox_server: SandboxServer, sandbox_config: SandboxConfig, admin: httpx.Client
) -> None:
    set_faults(admin, fault_rate=0.3, fault_statuses=[429], retry_after_seconds=0, seed=5)
    limit = AdaptiveLimit(8, grow_after=1000)
    with KonnectClient(
        sandbox_server.url + "/v3",
        sandbox_config.konnect_token,
        retry=RetryPolicy(max_attempts=30),
        sleep=no_wait,
        on_rate_limited=limit.rate_limited,
    ) as client:

        def perform(action: Action) -> ActionResult:
            client.get("/openmeter/customers")
            return ActionResult()

        actions = [
            Action(address=Address(type="read", name=f"r{n}"), type=ActionType.UPDATE)
            for n in range(20)
        ]
        report = execute(actions, perform, limit=limit)
    assert report.succeeded
    assert limit.rate_limit_signals > 0
    assert limit.limit < 8
