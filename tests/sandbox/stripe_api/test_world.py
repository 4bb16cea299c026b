"""The Stripe side's state API, as the Konnect side and the admin routes use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError

TEST_KEY = world.BUILT_IN_TEST_KEY
OTHER_KEY = "sk_test_" + "world" + "1" * 20


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "world.db")
    yield store
    store.close()


def test_the_built_in_key_opens_the_default_test_account(store: Store) -> None:
    account = world.account_for_key(store, TEST_KEY)

    assert account is not None and account["id"] == world.default_account_id(livemode=False)
    assert account["livemode"] is False
    assert account["settings"]["dashboard"]["display_name"]
    assert account["business_profile"]["name"]


@pytest.mark.parametrize("key", [OTHER_KEY, "rk_live_" + "a" * 12])
def test_a_well_formed_key_nobody_registered_opens_nothing(store: Store, key: str) -> None:
    assert world.account_for_key(store, key) is None
    assert world.refusal(store, key) == (
        "the sandbox does not know it (it knows its built-in test key and registered keys)"
    )
    assert store.find(world.ACCOUNTS) == []


@pytest.mark.parametrize("key", ["sk_test_short", "pk_test_" + "a" * 20, "sk_test_" + "-" * 20])
def test_malformed_keys_open_nothing(store: Store, key: str) -> None:
    assert world.account_for_key(store, key) is None
    assert world.refusal(store, key) == (
        f"it is not a Stripe secret or restricted key ({world.KEY_FORMAT})"
    )


def test_revoked_keys_open_nothing(store: Store) -> None:
    world.register_key(store, OTHER_KEY, world.default_account_id(livemode=False))

    assert world.revoke_key(store, TEST_KEY) and world.revoke_key(store, OTHER_KEY)

    assert world.account_for_key(store, TEST_KEY) is None
    assert world.account_for_key(store, OTHER_KEY) is None
    assert world.refusal(store, TEST_KEY) == "it was revoked"


def test_a_key_nobody_registered_cannot_be_revoked(store: Store) -> None:
    assert not world.revoke_key(store, OTHER_KEY)
    assert store.find(world.API_KEYS) == []


def test_keys_are_stored_by_digest_only(store: Store) -> None:
    world.account_for_key(store, TEST_KEY)

    records = store.find(world.API_KEYS)

    assert len(records) == 1 and TEST_KEY not in str(records)


def test_a_registered_key_opens_its_own_account(store: Store) -> None:
    world.register_key(store, OTHER_KEY, "acct_1OtherAccount0000")

    account = world.account_for_key(store, OTHER_KEY)

    assert account is not None and account["id"] == "acct_1OtherAccount0000"


def test_checkout_completion_attaches_a_default_card(store: Store) -> None:
    account = world.account_for_key(store, TEST_KEY)
    assert account is not None
    customer = world.create_customer(
        store, account["id"], name="ACME", email="ap@acme.test", metadata={"om": "1"}
    )
    session = world.create_checkout_session(
        store,
        account["id"],
        customer_id=customer["id"],
        params={"success_url": "https://example.test/ok", "currency": "usd"},
    )

    customer_id, method_id = world.complete_checkout_session(store, session["id"])

    assert session["id"].startswith("cs_test_") and session["status"] == "open"
    assert session["setup_intent"].startswith("seti_") and session["url"]
    assert customer_id == customer["id"] and method_id.startswith("pm_")
    stored = world.get_customer(store, account["id"], customer_id)
    assert stored is not None
    assert stored["invoice_settings"]["default_payment_method"] == method_id
    method = world.payment_method(store, account["id"], method_id)
    assert method["customer"] == customer_id
    assert method["billing_details"]["address"]["country"] == "US"
    assert world.get_checkout_session(store, account["id"], session["id"])["status"] == "complete"
    with pytest.raises(StripeError):
        world.complete_checkout_session(store, session["id"])


def test_other_accounts_do_not_see_a_customer(store: Store) -> None:
    account = world.account_for_key(store, TEST_KEY)
    assert account is not None
    customer = world.create_customer(store, account["id"], name=None, email=None)

    assert world.get_customer(store, "acct_1SomeoneElse00000", customer["id"]) is None
    assert "_account" not in customer


def test_portal_sessions_need_a_default_configuration(store: Store) -> None:
    account = world.account_for_key(store, TEST_KEY)
    assert account is not None
    customer = world.create_customer(store, account["id"], name="A", email=None)

    session = world.create_portal_session(
        store, account["id"], customer["id"], return_url=None, locale=None, configuration=None
    )
    world.remove_default_portal_configuration(store, account["id"])

    assert session["id"].startswith("bps_") and session["configuration"].startswith("bpc_")
    with pytest.raises(StripeError) as raised:
        world.create_portal_session(
            store, account["id"], customer["id"], return_url=None, locale=None, configuration=None
        )
    assert raised.value.status == 400


def test_ensure_webhook_endpoint_reuses_the_endpoint_for_a_url(store: Store) -> None:
    account = world.account_for_key(store, TEST_KEY)
    assert account is not None
    url = "https://konnect.example/webhook"

    first = world.ensure_webhook_endpoint(store, account["id"], url=url, enabled_events=["*"])
    again = world.ensure_webhook_endpoint(
        store, account["id"], url=url, enabled_events=["customer.updated"]
    )

    assert first["secret"].startswith("whsec_") and "secret" not in again
    assert again["id"] == first["id"] and again["enabled_events"] == ["customer.updated"]
