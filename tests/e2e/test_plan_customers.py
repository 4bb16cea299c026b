"""Customer links: bulk reads, normalisation, and every Stripe check as a blocking finding."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler import targets
from reconciler.cli import main
from reconciler.clients.konnect import KonnectClient
from tests.e2e.worlds import SELF_SERVE, STRIPE_APP, SUPPLIER, World, manifest, write_manifests

SANDBOX_ACCOUNT = "acct_1SandboxTest0000"
INVOICED = manifest(
    "BillingProfile",
    "invoiced",
    {
        "app": "stripe",
        "supplier": SUPPLIER,
        "workflow": {
            "payment": {"collection_method": "send_invoice"},
            "tax": {"enabled": True, "enforced": True},
        },
    },
)


def link_manifest(name: str, stripe: dict[str, str], **spec: Any) -> dict[str, Any]:
    return manifest("CustomerBilling", name, {"customer": {"key": name}, "stripe": stripe, **spec})


class Scenario:
    """The app and both profiles live as the manifests say; customers added per test."""

    def __init__(self, world: World, project: Path) -> None:
        self.world = world
        self.project = project
        self.app = world.stripe_app()
        self.profiles = {
            "self-serve": world.profile(self.app, "self-serve", default=True),
            "invoiced": world.profile(self.app, "invoiced", workflow=INVOICED["spec"]["workflow"]),
        }
        self.links: list[dict[str, Any]] = []

    def linked(
        self,
        key: str,
        stripe_customer: str,
        *,
        profile: str | None = None,
        payment_method: str | None = None,
    ) -> None:
        customer = self.world.customer(key)
        self.world.link(
            customer,
            stripe_customer,
            profile=self.profiles[profile] if profile else None,
            payment_method=payment_method,
        )
        stripe = {"customer_id": stripe_customer}
        if payment_method:
            stripe["default_payment_method_id"] = payment_method
        extra = {"billing_profile": profile} if profile else {}
        self.links.append(link_manifest(key, stripe, **extra))

    def plan(self, *args: str) -> Result:
        write_manifests(self.project, STRIPE_APP, SELF_SERVE, INVOICED, *self.links)
        return CliRunner().invoke(main, ["plan", str(self.project), *args])

    def findings(self) -> list[tuple[str, str]]:
        result = self.plan("--output", "json")
        data = json.loads(result.stdout)
        return [(f["address"].partition(".")[2], f["message"]) for f in data["findings"]]


@pytest.fixture
def scenario(world: World, project: Path) -> Scenario:
    return Scenario(world, project)


def test_linked_customers_as_declared_plan_clean_with_no_findings(scenario: Scenario) -> None:
    world = scenario.world
    card_holder = world.stripe_customer()
    world.card(card_holder)
    scenario.linked("acme", card_holder)
    invoiced = world.stripe_customer(**{"address[country]": "DE"})
    scenario.linked("globex", invoiced, profile="invoiced")
    named = world.stripe_customer()
    method = world.card(named, invoice_default=False)
    scenario.linked("initech", named, payment_method=method)
    result = scenario.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert "Error" not in result.stdout


def test_subject_keys_are_a_set_whatever_order_konnect_keeps(scenario: Scenario) -> None:
    world = scenario.world
    card_holder = world.stripe_customer()
    world.card(card_holder)
    customer = world.customer("acme", usage_attribution={"subject_keys": ["web", "api"]})
    world.link(customer, card_holder)
    customer_spec = {"key": "acme", "subject_keys": ["api", "web"]}
    scenario.links.append(
        manifest(
            "CustomerBilling",
            "acme",
            {"customer": customer_spec, "stripe": {"customer_id": card_holder}},
        )
    )
    result = scenario.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output


def test_unknown_and_deleted_stripe_customers_block(scenario: Scenario) -> None:
    world = scenario.world
    scenario.linked("ghost", "cus_DoesNotExist00")
    gone = world.stripe_customer()
    world.card(gone)
    world.admin("DELETE", f"/stripe/customers/{gone}")
    scenario.linked("gone", gone)
    assert scenario.findings() == [
        (
            "ghost",
            "Stripe customer cus_DoesNotExist00 does not exist in the app's Stripe account",
        ),
        ("gone", f"Stripe customer {gone} was deleted"),
    ]
    result = scenario.plan()
    assert result.exit_code == 1
    assert "2 finding(s) block apply" in result.output
    # Nothing to change, yet apply would refuse: neither the summary nor the JSON says no-op.
    assert "No changes." not in result.stdout
    assert "Plan: 0 to add, 0 to change, 0 to destroy. 2 finding(s) block apply." in result.stdout
    assert json.loads(scenario.plan("--output", "json").stdout)["is_noop"] is False


def test_payment_method_must_belong_to_the_customer_and_have_an_address(
    scenario: Scenario,
) -> None:
    world = scenario.world
    other = world.stripe_customer()
    foreign = world.card(other)
    first = world.stripe_customer()
    world.card(first)
    scenario.linked("foreign", first, payment_method=foreign)
    second = world.stripe_customer()
    bare = world.card(second, billing_address=False)
    scenario.linked("bare", second, payment_method=bare)
    assert scenario.findings() == [
        ("foreign", f"payment method {foreign} is not attached to Stripe customer {first}"),
        ("bare", f"payment method {bare} has no billing address"),
    ]


def test_an_invoice_default_without_a_billing_address_blocks(scenario: Scenario) -> None:
    customer = scenario.world.stripe_customer()
    card = scenario.world.card(customer, billing_address=False)
    scenario.linked("unaddressed", customer)
    assert scenario.plan("--detailed-exitcode").exit_code == 1
    findings = json.loads(scenario.plan("--output", "json").stdout)["findings"]
    assert [
        (f["address"].partition(".")[2], f["severity"], f["message"], f["fix"]) for f in findings
    ] == [
        (
            "unaddressed",
            "error",
            f"payment method {card} has no billing address",
            "add the billing address to the payment method in Stripe",
        )
    ]


def test_an_expired_card_blocks_whether_named_or_the_invoice_default(scenario: Scenario) -> None:
    world = scenario.world
    holder = world.stripe_customer()
    lapsed = world.card(holder, expiry=(1, 2020))
    scenario.linked("lapsed", holder)
    named_holder = world.stripe_customer()
    world.card(named_holder)
    named = world.card(named_holder, invoice_default=False, expiry=(12, 2023))
    scenario.linked("named", named_holder, payment_method=named)
    result = scenario.plan("--output", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [
        (f["address"].partition(".")[2], f["severity"], f["message"], f["fix"]) for f in findings
    ] == [
        (
            "lapsed",
            "error",
            f"payment method {lapsed} is a card that expired at the end of 01/2020",
            "have the customer add a current card (`reconcile portal-url`) and make it the "
            "invoice default in Stripe",
        ),
        (
            "named",
            "error",
            f"payment method {named} is a card that expired at the end of 12/2023",
            "attach a current card to the customer in Stripe and name it in "
            "stripe.default_payment_method_id (the customer can add one: `reconcile portal-url`)",
        ),
    ]


def test_charging_needs_an_invoice_default_when_no_method_is_named(scenario: Scenario) -> None:
    customer = scenario.world.stripe_customer()
    scenario.linked("nocard", customer)
    [(name, message)] = scenario.findings()
    assert name == "nocard"
    assert "has no invoice default payment method" in message


def test_sent_invoices_need_an_email_and_enforced_tax_an_address(scenario: Scenario) -> None:
    customer = scenario.world.stripe_customer(email=None, addressed=False)
    scenario.linked("quiet", customer, profile="invoiced")
    assert scenario.findings() == [
        ("quiet", f"Stripe customer {customer} has no email, and its profile sends invoices"),
        ("quiet", f"Stripe customer {customer} has no address, and its profile enforces tax"),
    ]


def test_account_wide_checks_name_the_app_profiles_and_tax_codes(scenario: Scenario) -> None:
    world = scenario.world
    world.admin("POST", f"/stripe/accounts/{SANDBOX_ACCOUNT}/tax/deactivate")
    endpoints = world.stripe("GET", "/webhook_endpoints")["data"]
    world.admin("POST", f"/stripe/webhook-endpoints/{endpoints[0]['id']}/disable")
    scenario.links.append(
        manifest("TaxCode", "bogus", {"key": "bogus", "stripe_tax_code": "txcd_12345678"})
    )
    findings = scenario.findings()
    assert ("stripe", "the app's Stripe webhook endpoint is disabled") in findings
    assert ("bogus", "Stripe has no tax code txcd_12345678") in findings
    taxed = sorted(name for name, message in findings if "Stripe Tax is not active" in message)
    assert taxed == ["invoiced", "self-serve"]


def test_declared_account_must_be_the_keys(world: World, project: Path) -> None:
    world.stripe_app()
    app = {**STRIPE_APP, "spec": {**STRIPE_APP["spec"], "account_id": "acct_Elsewhere"}}
    write_manifests(project, app)
    result = CliRunner().invoke(main, ["plan", str(project), "--output", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [f["message"] for f in findings] == [
        f"the key opens Stripe account {SANDBOX_ACCOUNT}, not acct_Elsewhere as declared"
    ]


def test_skipping_stripe_checks_is_loud_and_unblocks(scenario: Scenario) -> None:
    scenario.linked("ghost", "cus_DoesNotExist00")
    result = scenario.plan("--skip-stripe-checks")
    assert result.exit_code == 0, result.output
    assert "WARNING: Stripe checks were skipped" in result.stdout
    assert "does not exist" not in result.stdout


def test_customer_pinned_away_from_the_default_is_a_warning(scenario: Scenario) -> None:
    world = scenario.world
    customer = world.stripe_customer(**{"address[country]": "DE"})
    scenario.linked("pinned", customer, profile="invoiced")
    scenario.links[-1]["spec"]["billing_profile"] = None
    del scenario.links[-1]["spec"]["billing_profile"]
    result = scenario.plan("--skip-stripe-checks", "--output", "json")
    data = json.loads(result.stdout)
    # Apply could not unpin it, so a change here would never go away: a warning instead.
    assert [a for a in data["actions"] if a["type"] != "no-op"] == []
    [warning] = data["findings"]
    assert "pinned to invoiced" in warning["message"]


def test_customer_pinned_to_the_default_it_only_follows_is_a_warning(
    scenario: Scenario,
) -> None:
    customer = scenario.world.stripe_customer()
    scenario.world.card(customer)
    scenario.linked("pinned", customer, profile="self-serve")
    del scenario.links[-1]["spec"]["billing_profile"]
    scenario.linked("follows", customer)
    result = scenario.plan("--skip-stripe-checks", "--output", "json")
    data = json.loads(result.stdout)
    assert [a for a in data["actions"] if a["type"] != "no-op"] == []
    # The pin outlives a later change of default; only the pinned customer is warned of.
    assert data["findings"] == [
        {
            "address": "customer_billing.pinned",
            "severity": "warning",
            "message": "Konnect has this customer pinned to the default profile self-serve, "
            "which the manifest leaves it following: after a change of default it would stay "
            "on self-serve, and the v3 API cannot unpin a customer",
            "fix": "set spec.billing_profile to self-serve to make the pin explicit",
            "concerns": [],
        }
    ]


class RefusingPinFilter(httpx.HTTPTransport):
    """Konnect as it might answer: a 400 for the customer filter by billing profile, whose
    support the reference leaves unverified (the sandbox always serves it)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "filter[billing_profile_id]" in request.url.params:
            problem = {
                "status": 400,
                "title": "Bad Request",
                "detail": "unsupported filter",
                "instance": "kong:trace:1",
                "invalid_parameters": [
                    {
                        "field": "filter[billing_profile_id]",
                        "reason": "unsupported",
                        "rule": "invalid",
                    }
                ],
            }
            return httpx.Response(
                400, json=problem, headers={"Content-Type": "application/problem+json"}
            )
        return super().handle_request(request)


def test_when_konnect_refuses_the_pin_filter_the_plan_says_what_it_assumed(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        targets, "KonnectClient", partial(KonnectClient, transport=RefusingPinFilter())
    )
    customer = scenario.world.stripe_customer()
    scenario.world.card(customer)
    scenario.linked("follows", customer)
    scenario.linked("names-it", customer, profile="self-serve")
    scenario.linked("elsewhere", customer, profile="invoiced")
    result = scenario.plan("--skip-stripe-checks", "--detailed-exitcode", "--no-color")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: billing_profile.self-serve: Konnect refused the customer filter "
        "filter[billing_profile_id], so customers pinned to this default profile cannot be told "
        "from those following it: of the 2 link(s) on it, the plan takes the 1 that name no "
        "profile to follow it and the 1 that name it to be pinned to it\n"
        "  Fix: before the default changes, check those customers' pins in Konnect: a pin the "
        "plan does not see is neither written nor warned of\n"
    ) in result.stdout
    assert "No changes. Live state matches the manifests." in result.stdout


def test_customer_without_a_name_cannot_be_created(scenario: Scenario) -> None:
    scenario.links.append(link_manifest("nobody", {"customer_id": "cus_X1"}))
    result = scenario.plan("--skip-stripe-checks", "--output", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    [action] = [a for a in data["actions"] if a["address"].partition(".")[2] == "nobody"]
    assert action["type"] == "blocked"
    assert data["summary"]["blocked"] == 1


def test_checkout_onboarding_without_a_link_is_a_warning(scenario: Scenario) -> None:
    scenario.links.append(
        manifest(
            "CustomerBilling",
            "newbie",
            {"customer": {"key": "newbie", "name": "Newbie"}, "onboarding": "checkout"},
        )
    )
    data = json.loads(scenario.plan("--output", "json").stdout)
    assert [(f["severity"], f["message"]) for f in data["findings"]] == [
        ("warning", "no Stripe customer is linked yet (onboarding: checkout)")
    ]
