"""Stripe facts over the real SDK client against the sandbox: each read happens once, and
each account once however many apps use its key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from reconciler.clients.retry import RetryPolicy
from reconciler.clients.stripe_api import StripeApi
from reconciler.core.secrets import MissingSecret
from reconciler.core.stripe_facts import StripeAccounts, StripeFacts, StripeUnavailable
from reconciler.sandbox import SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY


def test_concurrent_readers_share_one_customer_list(sandbox_server: SandboxServer) -> None:
    with StripeApi(SANDBOX_STRIPE_KEY, base_url=sandbox_server.url) as api:
        facts = StripeFacts(api)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: facts.customers(), range(8)))
        assert all(result == {} for result in results)
        assert api.counter.requests() == {"GET /v1/customers": 1}


def test_unknown_customer_is_none_after_one_retrieve(sandbox_server: SandboxServer) -> None:
    with StripeApi(SANDBOX_STRIPE_KEY, base_url=sandbox_server.url) as api:
        facts = StripeFacts(api)
        assert facts.customer("cus_Unknown000001") is None
        assert facts.customer("cus_Unknown000001") is None
        assert api.counter.requests()["GET /v1/customers/{id}"] == 1


def test_a_failed_read_is_remembered_and_raised_without_the_key(
    sandbox_server: SandboxServer,
) -> None:
    bad_key = "sk_test_" + "x"  # malformed: the sandbox answers 401
    with StripeApi(bad_key, base_url=sandbox_server.url, retry=RetryPolicy(max_attempts=1)) as api:
        facts = StripeFacts(api)
        for _ in range(2):
            with pytest.raises(StripeUnavailable) as failure:
                facts.account()
            assert bad_key not in str(failure.value)
        assert api.counter.total() == 1


def test_apps_with_one_key_share_one_account_and_one_request_count(
    sandbox_server: SandboxServer, admin: httpx.Client
) -> None:
    other_key = "sk_test_" + "another" + "0" * 20
    admin.post("/stripe/keys", json={"key": other_key, "account": "acct_1Another0000"})
    keys = {"us": lambda: SANDBOX_STRIPE_KEY, "copy": lambda: SANDBOX_STRIPE_KEY}
    with StripeAccounts({**keys, "eu": lambda: other_key}, base_url=sandbox_server.url) as accounts:
        us, copy, eu = accounts.of("us"), accounts.of("copy"), accounts.of("eu")
        assert us is copy and us is not None and eu is not None and eu is not us
        for facts in (us, copy, eu):
            facts.account()
        assert accounts.counter.requests() == {"GET /v1/account": 2}
        assert accounts.of("undeclared") is None
        assert accounts.catalogue() is us  # the first app's


def test_a_key_is_resolved_only_when_its_account_is_read() -> None:
    def unset() -> str:
        raise MissingSecret("environment variable STRIPE_API_KEY is not set")

    with StripeAccounts({"stripe": unset}) as accounts, pytest.raises(MissingSecret):
        accounts.of("stripe")


def test_an_app_set_aside_has_no_facts_for_the_checks_but_its_key_still_opens_them(
    sandbox_server: SandboxServer,
) -> None:
    keys = {"us": lambda: SANDBOX_STRIPE_KEY, "copy": lambda: SANDBOX_STRIPE_KEY}
    with StripeAccounts(keys, base_url=sandbox_server.url) as accounts:
        opened = accounts.of("us")
        accounts.set_aside("us")
        assert accounts.of("us") is None
        assert accounts.behind_key("us") is opened
        assert accounts.of("copy") is opened  # another app with the same key is not set aside
