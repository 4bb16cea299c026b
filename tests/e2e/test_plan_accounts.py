"""A project billing through two Stripe accounts: each app is checked with its own key.

The `stripe` app holds a test-mode key, the `eu` app a live-mode key of another account; each
profile, its customers' Stripe ids and its app's webhook and Stripe Tax are checked against
the account of the app the profile uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import SELF_SERVE, STRIPE_APP, SUPPLIER, World, manifest, write_manifests

TEST_KEY = "sk_test_" + "usaccount" + "0" * 16
LIVE_KEY = "sk_live_" + "euaccount" + "0" * 16
LIVE_ACCOUNT = "acct_1SandboxLive0000"
EU_APP = manifest(
    "StripeApp",
    "eu",
    {"name": "Stripe EU", "api_key": "${env:STRIPE_API_KEY_EU}", "livemode": True},
)
US_APP = {**STRIPE_APP, "spec": {**STRIPE_APP["spec"], "livemode": False}}
EU_DIRECT = manifest("BillingProfile", "eu-direct", {"app": "eu", "supplier": SUPPLIER})


def link(key: str, stripe_customer: str, profile: str) -> dict[str, Any]:
    spec = {"customer": {"key": key}, "billing_profile": profile}
    return manifest("CustomerBilling", key, {**spec, "stripe": {"customer_id": stripe_customer}})


class TwoAccounts:
    """Both apps, their profiles and a card-paying customer on each, live as declared."""

    def __init__(self, world: World, project: Path) -> None:
        self.world = world
        self.project = project
        self.us = world.in_account(TEST_KEY)
        self.eu = world.in_account(LIVE_KEY)
        us_app = world.stripe_app(name="Stripe", api_key=TEST_KEY)
        eu_app = world.stripe_app(name="Stripe EU", api_key=LIVE_KEY)
        self.profiles = {
            "self-serve": world.profile(us_app, "self-serve", default=True),
            "eu-direct": world.profile(eu_app, "eu-direct"),
        }
        self.links = [
            self.linked("acme", self.us, "self-serve"),
            self.linked("bmw", self.eu, "eu-direct"),
        ]

    def linked(self, key: str, account: World, profile: str) -> dict[str, Any]:
        stripe_customer = account.stripe_customer()
        account.card(stripe_customer)
        customer = self.world.customer(key)
        self.world.link(customer, stripe_customer, profile=self.profiles[profile])
        return link(key, stripe_customer, profile)

    def plan(self, *args: str) -> Result:
        write_manifests(self.project, US_APP, EU_APP, SELF_SERVE, EU_DIRECT, *self.links)
        result = CliRunner().invoke(main, ["plan", str(self.project), *args])
        assert TEST_KEY not in result.output and LIVE_KEY not in result.output
        return result

    def findings(self) -> list[dict[str, Any]]:
        result = self.plan("--output", "json")
        found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
        return found


@pytest.fixture
def accounts(world: World, project: Path, monkeypatch: pytest.MonkeyPatch) -> TwoAccounts:
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    monkeypatch.setenv("STRIPE_API_KEY_EU", LIVE_KEY)
    for key in (TEST_KEY, LIVE_KEY):  # each to its mode's default account
        world.admin("POST", "/stripe/keys", {"key": key})
    return TwoAccounts(world, project)


def test_each_app_is_checked_against_its_own_account(accounts: TwoAccounts) -> None:
    result = accounts.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert "Error" not in result.stdout


def test_a_customer_of_the_other_account_does_not_exist_for_the_app(
    accounts: TwoAccounts,
) -> None:
    stranger = accounts.us.stripe_customer()
    accounts.us.card(stranger)
    accounts.links.append(link("citroen", stranger, "eu-direct"))
    assert [
        (f["address"].partition(".")[2], f["message"], f["fix"]) for f in accounts.findings()
    ] == [
        (
            "citroen",
            f"Stripe customer {stranger} does not exist in the app's Stripe account",
            "use the id of a customer of that account (Stripe Dashboard > Customers)",
        )
    ]


def test_stripe_tax_is_checked_on_the_account_of_the_profiles_app(accounts: TwoAccounts) -> None:
    accounts.world.admin("POST", f"/stripe/accounts/{LIVE_ACCOUNT}/tax/deactivate")
    assert [(f["address"].partition(".")[2], f["message"]) for f in accounts.findings()] == [
        (
            "eu-direct",
            "tax is enabled, but Stripe Tax is not active on the account (status pending)",
        )
    ]


def test_a_revoked_key_blocks_its_own_app_only_and_names_its_variable(
    accounts: TwoAccounts,
) -> None:
    accounts.world.admin("POST", "/stripe/keys/revoke", {"key": LIVE_KEY})
    findings = accounts.findings()
    assert {f["address"].partition(".")[2] for f in findings} == {"eu"}
    [unreadable] = [f for f in findings if "does not read its account" in f["message"]]
    assert unreadable["fix"] == (
        "set STRIPE_API_KEY_EU to a valid secret or restricted key with read access to the account"
    )
