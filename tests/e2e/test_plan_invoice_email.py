"""Invoice email: Stripe emails a `send_invoice` link's invoices to the Stripe customer's
email, never to Konnect's; the plan shows that address and warns when the manifest expects
another one."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.test_plan_customers import Scenario, link_manifest, scenario

__all__ = ["scenario"]


def invoiced_link(scenario: Scenario, key: str, stripe_email: str, primary_email: str) -> str:
    world = scenario.world
    stripe_customer = world.stripe_customer(email=stripe_email, **{"address[country]": "DE"})
    customer = world.customer(key, primary_email=primary_email)
    world.link(customer, stripe_customer, profile=scenario.profiles["invoiced"])
    link = link_manifest(key, {"customer_id": stripe_customer}, billing_profile="invoiced")
    link["spec"]["customer"]["primary_email"] = primary_email
    scenario.links.append(link)
    return stripe_customer


def plan_json(scenario: Scenario) -> dict[str, Any]:
    result = scenario.plan("--output", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_plan_shows_the_email_stripe_sends_invoices_to(scenario: Scenario) -> None:
    customer = invoiced_link(scenario, "globex", "ap@globex.example", "AP@globex.example")
    result = scenario.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    notice = (
        "customer_billing.globex: Stripe emails invoices to ap@globex.example, the email of "
        f"Stripe customer {customer}"
    )
    assert "\n  " + notice + "\n" in result.stdout.split("Notices:")[1]
    assert "Warning" not in result.stdout  # the same address, whatever its case


def test_an_email_other_than_the_manifests_is_a_warning(scenario: Scenario) -> None:
    customer = invoiced_link(scenario, "globex", "ap@globex.example", "cfo@globex.example")
    data = plan_json(scenario)
    [warning] = data["findings"]
    assert warning["severity"] == "warning"
    assert warning["message"] == (
        f"invoices go to ap@globex.example, the email of Stripe customer {customer}, not to "
        "spec.customer.primary_email cfo@globex.example: Stripe ignores Konnect's email"
    )
    assert data["is_noop"] is True  # a warning: apply is not blocked
    [notice] = [n for n in data["notices"] if "emails invoices" in n["message"]]
    assert notice["address"] == "customer_billing.globex"
    assert notice["concerns"] == ["billing_profile.invoiced"]


def test_charged_links_have_no_invoice_email_to_show(scenario: Scenario) -> None:
    world = scenario.world
    card_holder = world.stripe_customer(email="someone@acme.example")
    world.card(card_holder)
    scenario.linked("acme", card_holder)
    data = plan_json(scenario)
    assert not [n for n in data["notices"] if "emails invoices" in n["message"]]
    assert data["findings"] == []


def test_skipped_stripe_checks_show_no_email(scenario: Scenario) -> None:
    invoiced_link(scenario, "globex", "ap@globex.example", "cfo@globex.example")
    result = scenario.plan("--output", "json", "--skip-stripe-checks")
    data = json.loads(result.stdout)
    assert data["notices"] == []
    assert data["findings"] == []
