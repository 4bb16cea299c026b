"""Checkout that collects what tax needs: the `spec.checkout` options of an onboarding link and
the `checkout-url` flags reach Stripe's session, and once the customer completes it the plan
finds on the Stripe customer what the tax-enforced profile needs (an address Stripe Tax can
place, the tax id) instead of blocking the link."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.seeding import labels_of, seed
from tests.e2e.worlds import SELF_SERVE, STRIPE_APP, SUPPLIER, World, manifest, write_manifests
from tests.test_schemas import validator

SUCCESS = "https://example.com/welcome"
TAXED = manifest(
    "BillingProfile",
    "taxed",
    {
        "app": "stripe",
        "supplier": SUPPLIER,
        "workflow": {
            "payment": {"collection_method": "send_invoice"},
            "tax": {"enabled": True, "enforced": True},
        },
    },
)
CHECKOUT = {
    "tax_id_collection": {"enabled": True},
    "payment_method_types": ["card", "us_bank_account"],
    "locale": "de",
    "custom_text": {"submit": "Your card is charged only when an invoice is due."},
    "expires_after": "PT2H",
}
UMBRELLA = manifest(
    "CustomerBilling",
    "umbrella",
    {
        "customer": {"key": "umbrella", "name": "Umbrella", "primary_email": "ap@umbrella.example"},
        "billing_profile": "taxed",
        "onboarding": "checkout",
        "checkout": CHECKOUT,
    },
)
BERLIN = {"country": "DE", "postal_code": "10115", "city": "Berlin", "line1": "Unter den Linden 1"}


class Umbrella:
    def __init__(self, world: World, project: Path) -> None:
        self.world = world
        self.project = project
        seed(world, [STRIPE_APP, SELF_SERVE, TAXED])
        customer = UMBRELLA["spec"]["customer"]
        world.customer(
            "umbrella",
            labels=labels_of(UMBRELLA),
            name=customer["name"],
            primary_email=customer["primary_email"],
        )
        write_manifests(project, STRIPE_APP, SELF_SERVE, TAXED, UMBRELLA)

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(main, [args[0], str(self.project), *args[1:]])

    def checkout(self, *flags: str) -> dict[str, Any]:
        result = self.run(
            "checkout-url", "umbrella", "--success-url", SUCCESS, "-o", "json", *flags
        )
        assert result.exit_code == 0, result.output
        document: dict[str, Any] = json.loads(result.stdout)
        document["stderr"] = result.stderr
        return document

    def complete(self, session_id: str, **entered: Any) -> None:
        self.world.admin("POST", f"/konnect/checkout-sessions/{session_id}/complete", entered)

    def plan(self) -> dict[str, Any]:
        result = self.run("plan", "--output", "json")
        plan: dict[str, Any] = json.loads(result.stdout)
        return plan


def about_umbrella(entries: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in entries if e["address"] == "customer_billing.umbrella"]


@pytest.fixture
def umbrella(world: World, project: Path) -> Umbrella:
    return Umbrella(world, project)


def test_the_manifests_checkout_options_reach_stripe(umbrella: Umbrella) -> None:
    before = int(time.time())
    document = umbrella.checkout()
    printed = {key: value for key, value in document.items() if key != "stderr"}
    assert [error.message for error in validator("checkout-output.json").iter_errors(printed)] == []
    assert document["billing_address_collection"] == "required"
    assert document["saves_to_stripe_customer"] == ["address", "name"]
    assert document["tax_id_collection"] is True
    session = umbrella.world.stripe("GET", f"/checkout/sessions/{document['session_id']}")
    assert session["locale"] == "de"
    assert session["payment_method_types"] == ["card", "us_bank_account"]
    assert session["custom_text"]["submit"] == {"message": CHECKOUT["custom_text"]["submit"]}
    assert session["tax_id_collection"] == {"enabled": True}
    assert session["billing_address_collection"] == "required"
    assert before + 2 * 3600 <= session["expires_at"] <= int(time.time()) + 2 * 3600


def test_after_completion_the_profile_finds_what_tax_needs(umbrella: Umbrella) -> None:
    document = umbrella.checkout()
    umbrella.complete(
        document["session_id"],
        address=BERLIN,
        name="Umbrella GmbH",
        tax_id={"type": "eu_vat", "value": "DE999999999"},
    )
    plan = umbrella.plan()
    assert about_umbrella(plan["findings"]) == []
    customer = document["stripe_customer_id"]
    assert (
        f"Stripe Tax places Stripe customer {customer} in DE (billing_address), supported; "
        "tax ids: eu_vat DE999999999"
    ) in about_umbrella(plan["notices"])
    saved = umbrella.world.stripe("GET", f"/customers/{customer}")
    assert (saved["address"]["country"], saved["name"]) == ("DE", "Umbrella GmbH")


def test_a_checkout_that_does_not_save_the_address_warns_and_stays_blocked(
    umbrella: Umbrella,
) -> None:
    document = umbrella.checkout("--no-save-address", "--locale", "fr")
    assert "does not save the address entered to the Stripe customer" in document["stderr"]
    assert document["saves_to_stripe_customer"] == ["name"]  # the tax id still needs it
    session = umbrella.world.stripe("GET", f"/checkout/sessions/{document['session_id']}")
    assert session["locale"] == "fr"  # the flag over the manifest
    umbrella.complete(document["session_id"], address=BERLIN)
    plan = umbrella.plan()
    assert about_umbrella(plan["findings"]) == [
        f"Stripe customer {document['stripe_customer_id']} has no address, and its profile "
        "enforces tax"
    ]


def test_bad_flags_are_usage_errors_naming_the_flag(umbrella: Umbrella) -> None:
    result = umbrella.run(
        "checkout-url", "umbrella", "--success-url", SUCCESS, "--expires-after", "PT10M"
    )
    assert result.exit_code == 1  # as every usage error of reconcile
    assert "--expires-after: a checkout stays open between PT30M and PT24H" in result.stderr


def test_checkout_options_only_go_with_checkout_onboarding(project: Path) -> None:
    declared = manifest(
        "CustomerBilling",
        "declared",
        {
            "customer": {"key": "declared"},
            "stripe": {"customer_id": "cus_Declared0001"},
            "checkout": {"locale": "de"},
        },
    )
    write_manifests(project, STRIPE_APP, SELF_SERVE, declared)
    result = CliRunner().invoke(main, ["validate", str(project)])
    assert result.exit_code == 1
    assert "`checkout` options go with `onboarding: checkout`" in result.stdout
