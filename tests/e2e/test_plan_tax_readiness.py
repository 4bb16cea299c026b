"""Tax readiness: where Stripe Tax places each linked customer (`tax.automatic_tax`), read with
the customers (expanded, whether one by one or by listing the account), blocks a profile that
enforces tax, warns one that only enables it, and the notices show the customer's tax ids."""

from __future__ import annotations

import json
from typing import Any

from reconciler.core.stripe_facts import FEW_CUSTOMERS
from tests.e2e.test_plan_customers import SANDBOX_ACCOUNT, Scenario, scenario

__all__ = ["scenario"]
NO_POSTAL_CODE = {"address[country]": "US", "address[line1]": "1 Main St"}


def plan(scenario: Scenario) -> dict[str, Any]:
    result = scenario.plan("--output", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def tax_findings(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (f["address"].partition(".")[2], f["severity"], f["message"])
        for f in data["findings"]
        if "Stripe Tax" in f["message"] and "customer" in f["message"]
    ]


def test_an_unrecognised_location_blocks_enforced_tax_and_warns_enabled_tax(
    scenario: Scenario,
) -> None:
    world = scenario.world
    invoiced = world.stripe_customer(**NO_POSTAL_CODE)
    scenario.linked("globex", invoiced, profile="invoiced")  # tax enforced
    charged = world.stripe_customer(**NO_POSTAL_CODE)
    world.card(charged)
    scenario.linked("acme", charged)  # self-serve: tax enabled, not enforced
    data = plan(scenario)
    assert tax_findings(data) == [
        (
            "globex",
            "error",
            f"Stripe Tax cannot place Stripe customer {invoiced} (tax.automatic_tax: "
            "unrecognized_location), and its profile enforces tax, so its invoices cannot be "
            "finalized",
        ),
        (
            "acme",
            "warning",
            f"Stripe Tax cannot place Stripe customer {charged} (tax.automatic_tax: "
            "unrecognized_location), so its invoices are sent without tax",
        ),
    ]
    assert data["is_noop"] is False  # the error blocks apply


def test_enforced_tax_shows_where_the_customer_is_and_its_tax_ids(scenario: Scenario) -> None:
    world = scenario.world
    berlin = world.stripe_customer(**{"address[country]": "DE", "address[postal_code]": "10115"})
    world.stripe("POST", f"/customers/{berlin}/tax_ids", {"type": "eu_vat", "value": "DE1234"})
    scenario.linked("globex", berlin, profile="invoiced")
    data = plan(scenario)
    assert tax_findings(data) == []
    assert {
        "address": "customer_billing.globex",
        "message": f"Stripe Tax places Stripe customer {berlin} in DE (billing_address), "
        "supported; tax ids: eu_vat DE1234",
        "concerns": ["billing_profile.invoiced"],
    } in data["notices"]


def test_a_location_the_account_does_not_collect_in_warns_enforced_tax(
    scenario: Scenario,
) -> None:
    world = scenario.world
    world.admin("POST", f"/stripe/accounts/{SANDBOX_ACCOUNT}/tax/deactivate")
    paris = world.stripe_customer(**{"address[country]": "FR"})
    scenario.linked("globex", paris, profile="invoiced")
    data = plan(scenario)
    assert tax_findings(data) == [
        (
            "globex",
            "warning",
            f"Stripe Tax collects no tax where Stripe customer {paris} is (FR; "
            "tax.automatic_tax: not_collecting), though its profile enforces tax",
        )
    ]


def test_read_with_the_account_list_when_there_are_many(scenario: Scenario) -> None:
    world = scenario.world
    unplaced = []
    for number in range(FEW_CUSTOMERS + 1):  # beyond a GET each: the account is listed
        customer = world.stripe_customer(**NO_POSTAL_CODE) if number % 2 else None
        customer = customer or world.stripe_customer()
        scenario.linked(f"c{number:02d}", customer, profile="invoiced")
        if number % 2:
            unplaced.append(f"c{number:02d}")
    data = plan(scenario)
    assert [name for name, severity, _ in tax_findings(data)] == unplaced
