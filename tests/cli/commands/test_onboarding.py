"""`reconcile checkout-url` and `portal-url` end to end against the embedded sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.kinds.customer_billing.checkout import (
    REDACTED,
    CheckoutRequest,
    CheckoutUncertain,
    create_checkout,
    find_link,
    prepare_checkout,
)
from reconciler.manifests import load_manifests
from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.targets import SANDBOX_DB, SANDBOX_STRIPE_KEY, connect
from tests.e2e.seeding import labels_of, seed
from tests.e2e.worlds import (
    INVOICED,
    SELF_SERVE,
    STRIPE_APP,
    SUPPLIER,
    World,
    manifest,
    write_manifests,
)
from tests.test_schemas import validator

SUCCESS = "https://example.com/welcome?session={CHECKOUT_SESSION_ID}"
CANCEL = "https://example.com/pricing"
RETURN = "https://example.com/account"
CHECKOUT_ROUTE = "POST /v3/openmeter/customers/{customer_id}/billing/stripe/checkout-sessions"
AWAITING = "no Stripe customer is linked yet (onboarding: checkout)"
# Another well-formed test key: the sandbox opens its default account with it too.
OTHER_STRIPE_KEY = "sk_test_" + "onboarding" + "Z" * 20

HOOLI = manifest(
    "CustomerBilling",
    "hooli",
    {
        "customer": {"key": "hooli", "name": "Hooli", "primary_email": "accounts@hooli.example"},
        "onboarding": "checkout",
    },
)
NOT_APPLIED = manifest(
    "CustomerBilling", "initech", {"customer": {"key": "initech"}, "onboarding": "checkout"}
)


class Onboarding:
    """Stripe app, two profiles, a linked customer on the invoiced profile and Hooli awaiting
    checkout, all live as an apply would have left them."""

    def __init__(self, world: World, project: Path) -> None:
        self.world = world
        self.project = project
        self.globex_stripe = world.stripe_customer(name="Globex")
        world.card(self.globex_stripe)
        globex = manifest(
            "CustomerBilling",
            "globex",
            {
                "customer": {"key": "globex", "name": "Globex"},
                "billing_profile": "invoiced",
                "stripe": {"customer_id": self.globex_stripe},
            },
        )
        seed(world, [STRIPE_APP, SELF_SERVE, INVOICED, globex])
        hooli = HOOLI["spec"]["customer"]
        world.customer(
            "hooli",
            labels=labels_of(HOOLI),
            name=hooli["name"],
            primary_email=hooli["primary_email"],
        )
        write_manifests(project, STRIPE_APP, SELF_SERVE, INVOICED, globex, HOOLI, NOT_APPLIED)

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, [args[0], str(self.project), *args[1:]])
        for secret in (SANDBOX_STRIPE_KEY, OTHER_STRIPE_KEY, DEFAULT_KONNECT_TOKEN):
            assert secret not in result.output
        return result

    def documents(self) -> list[dict[str, Any]]:
        text = (self.project / "manifests.yaml").read_text()
        return [d for d in yaml.safe_load_all(text) if d]

    def profile_id(self, name: str) -> str:
        profiles = self.world.konnect("GET", "/profiles")["data"]
        profile_id: str = next(p["id"] for p in profiles if p["name"] == name)
        return profile_id

    def checkout(self, customer: str, *args: str) -> dict[str, Any]:
        result = self.run("checkout-url", customer, "--output", "json", *args)
        assert result.exit_code == 0, result.output
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def stripe_session(self, session_id: str) -> dict[str, Any]:
        session: dict[str, Any] = self.world.stripe("GET", f"/checkout/sessions/{session_id}")
        return session

    def checkout_sessions(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.world.admin(
            "GET", "/collections/konnect.checkout_sessions"
        )["data"]
        return listed

    def hooli_plan(self) -> tuple[list[str], list[str]]:
        """Hooli's action types and finding messages in a JSON plan."""
        result = self.run("plan", "--output", "json")
        plan = json.loads(result.stdout)
        actions = [a["type"] for a in plan["actions"] if a["address"].partition(".")[2] == "hooli"]
        findings = [
            f["message"] for f in plan["findings"] if f["address"].partition(".")[2] == "hooli"
        ]
        return actions, findings

    def blocked_hooli_findings(self) -> list[tuple[str, str, str]]:
        """(severity, message, fix) of Hooli's findings in a JSON plan that must fail."""
        result = self.run("plan", "--output", "json")
        assert result.exit_code == 1, result.output
        return [
            (f["severity"], f["message"], f["fix"])
            for f in json.loads(result.stdout)["findings"]
            if f["address"].partition(".")[2] == "hooli"
        ]


@pytest.fixture
def onboarding(world: World, project: Path) -> Onboarding:
    return Onboarding(world, project)


def test_checkout_url_prints_the_hosted_link(onboarding: Onboarding) -> None:
    result = onboarding.run(
        "checkout-url", "hooli", "--success-url", SUCCESS, "--cancel-url", CANCEL
    )

    assert result.exit_code == 0, result.output
    [url] = [line.strip() for line in result.stdout.splitlines() if "/hosted/" in line]
    session_id = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/hosted/checkout/cs_test_\w+", url)
    stored = onboarding.stripe_session(session_id)
    assert (stored["mode"], stored["success_url"], stored["cancel_url"]) == (
        "setup",
        SUCCESS,
        CANCEL,
    )
    assert "billing address collection: required" in result.stdout  # self-serve charges cards
    assert "Target: sandbox" in result.stderr
    database = onboarding.project / SANDBOX_DB
    assert "Note: the embedded sandbox stopped with this command, and this link's page" in (
        result.stderr
    )
    assert f"(reconcile sandbox serve --db {database})" in result.stderr


def test_json_names_the_session_and_the_stripe_customer_konnect_linked(
    onboarding: Onboarding,
) -> None:
    document = onboarding.checkout("CustomerBilling/hooli", "--success-url", SUCCESS)

    stored = onboarding.stripe_session(document["session_id"])
    konnect_customer = onboarding.world.konnect("GET", f"/customers/{document['customer']['id']}")
    billing = onboarding.world.konnect("GET", f"/customers/{konnect_customer['id']}/billing")
    assert document["customer"] == {
        "manifest": "CustomerBilling/hooli",
        "key": "hooli",
        "id": konnect_customer["id"],
    }
    assert document["url"] == stored["url"]
    assert document["setup_intent_id"] == stored["setup_intent"]
    assert document["stripe_customer_id"] == billing["app_data"]["stripe"]["customer_id"]
    assert document["expires_at"] and document["client_secret"] is None  # hosted: no secret
    assert document["billing_address_collection"] == "required"


def test_json_documents_follow_their_schemas(onboarding: Onboarding) -> None:
    hosted = onboarding.checkout("hooli", "--success-url", SUCCESS)
    embedded = onboarding.checkout("hooli", "--embedded", "--return-url", RETURN)
    portal = onboarding.run("portal-url", "globex", "--return-url", RETURN, "--output", "json")

    for checkout in (hosted, embedded):
        assert [e.message for e in validator("checkout-output.json").iter_errors(checkout)] == []
        assert (checkout["format_version"], checkout["target"]) == (1, "sandbox")
    document = json.loads(portal.stdout)
    assert [e.message for e in validator("portal-output.json").iter_errors(document)] == []
    assert (document["format_version"], document["target"]) == (1, "sandbox")
    # What one document holds the other's schema refuses: each schema says what its command prints.
    assert list(validator("portal-output.json").iter_errors(hosted)) != []


def test_embedded_checkout_redacts_the_client_secret_unless_asked(onboarding: Onboarding) -> None:
    redacted = onboarding.run(
        "checkout-url", "hooli", "--embedded", "--return-url", RETURN, "--output", "json"
    )
    shown = onboarding.checkout("hooli", "--embedded", "--return-url", RETURN, "--show-secret")

    document = json.loads(redacted.stdout)
    secret = onboarding.stripe_session(document["session_id"])["client_secret"]
    assert secret and secret.startswith(document["session_id"] + "_secret_")
    assert document["client_secret"] == REDACTED and document["url"] is None
    assert secret not in redacted.output
    assert shown["client_secret"] == onboarding.stripe_session(shown["session_id"])["client_secret"]
    text = onboarding.run("checkout-url", "hooli", "--embedded", "--return-url", RETURN)
    assert f"client secret: {REDACTED}" in text.stdout
    assert "Note:" not in text.stderr  # no page to open


def test_completed_checkout_clears_the_plan_warning_and_opens_the_portal(
    onboarding: Onboarding,
) -> None:
    assert onboarding.hooli_plan()[1] == [AWAITING]

    session = onboarding.checkout("hooli", "--success-url", SUCCESS)
    # Konnect links a Stripe customer when the session is made; the card comes on completion.
    assert onboarding.hooli_plan()[1] == [
        f"checkout started (Stripe customer {session['stripe_customer_id']}) but not "
        "completed: no payment method yet (onboarding: checkout)"
    ]
    completed = onboarding.world.admin(
        "POST", f"/konnect/checkout-sessions/{session['session_id']}/complete"
    )

    assert completed["stripe_customer_id"] == session["stripe_customer_id"]
    assert onboarding.hooli_plan() == (["no-op"], [])
    portal = onboarding.run("portal-url", "hooli", "--return-url", RETURN, "--output", "json")
    assert portal.exit_code == 0, portal.output
    assert json.loads(portal.stdout)["stripe_customer_id"] == session["stripe_customer_id"]


PIONEER = manifest(
    "CustomerBilling",
    "pioneer",
    {
        "customer": {"key": "pioneer", "name": "Pioneer", "primary_email": "ap@pioneer.example"},
        "billing_profile": "invoiced",
        "onboarding": "checkout",
    },
)
EU_KEY = "sk_live_" + "onboardingeu" + "0" * 16
EU_APP = manifest("StripeApp", "eu", {"name": "Stripe EU", "api_key": "${env:STRIPE_API_KEY_EU}"})
EU_DIRECT = manifest("BillingProfile", "eu-direct", {"app": "eu", "supplier": SUPPLIER})


def pioneer_plan(onboarding: Onboarding) -> tuple[int, list[str], list[str]]:
    """The plan's exit code, and Pioneer's action types and finding messages."""
    result = onboarding.run("plan", "--output", "json", "--detailed-exitcode")
    plan = json.loads(result.stdout)
    actions = [a["type"] for a in plan["actions"] if a["address"].partition(".")[2] == "pioneer"]
    findings = [
        f["message"] for f in plan["findings"] if f["address"].partition(".")[2] == "pioneer"
    ]
    return result.exit_code, actions, findings


def test_a_checkout_link_naming_a_profile_is_pinned_to_it_once_its_checkout_starts(
    onboarding: Onboarding,
) -> None:
    applied = [d for d in onboarding.documents() if d["metadata"]["name"] != "initech"]
    write_manifests(onboarding.project, *applied, PIONEER)
    assert pioneer_plan(onboarding)[:2] == (2, ["create"])
    apply = onboarding.run("apply", "--auto-approve")
    assert apply.exit_code == 0, apply.output

    # Konnect takes a Stripe profile's billing only with a Stripe customer: nothing to pin yet.
    code, actions, [pending] = pioneer_plan(onboarding)
    assert (code, actions) == (0, ["no-op"])
    assert pending.startswith(AWAITING)
    assert "billed through self-serve until the checkout pins it to invoiced" in pending

    session = onboarding.checkout("pioneer", "--success-url", SUCCESS)

    assert session["billing_address_collection"] == "auto"  # invoiced sends invoices
    customer_id = session["customer"]["id"]
    billing = onboarding.world.konnect("GET", f"/customers/{customer_id}/billing")
    invoiced = onboarding.profile_id("invoiced")
    assert billing["billing_profile"] == {"id": invoiced}
    assert billing["app_data"]["stripe"] == {"customer_id": session["stripe_customer_id"]}
    stored = onboarding.world.admin("GET", f"/collections/konnect.customers/{customer_id}")
    assert stored["_pinned_profile_id"] == invoiced
    assert pioneer_plan(onboarding)[:2] == (0, ["no-op"])


def test_a_pin_that_fails_after_the_checkout_is_written_by_the_next_apply(
    onboarding: Onboarding,
) -> None:
    applied = [d for d in onboarding.documents() if d["metadata"]["name"] != "initech"]
    write_manifests(onboarding.project, *applied, PIONEER)
    assert onboarding.run("apply", "--auto-approve").exit_code == 0
    manifests = load_manifests(onboarding.project)
    link = find_link(manifests, "pioneer")
    request = CheckoutRequest(success_url=SUCCESS)
    with connect(manifests, None) as connection:
        konnect = connection.sources.konnect
        prepared = prepare_checkout(konnect, link, request, profile="invoiced")
        faults = {"route_faults": {"PUT /v3/openmeter/customers/{customer_id}/billing": 400}}
        httpx.patch(f"{connection.sandbox_url}/_sandbox/faults", json=faults).raise_for_status()
        session = create_checkout(konnect, prepared)

    [warning] = session.warnings
    assert warning.startswith("the customer is not pinned to its billing profile yet")
    # Now that a Stripe customer is linked, apply can pin the customer with it.
    assert pioneer_plan(onboarding)[:2] == (2, ["update"])
    assert onboarding.run("apply", "--auto-approve").exit_code == 0
    billing = onboarding.world.konnect("GET", f"/customers/{session.customer.id}/billing")
    assert billing["billing_profile"] == {"id": onboarding.profile_id("invoiced")}
    assert billing["app_data"]["stripe"] == {"customer_id": session.result["stripe_customer_id"]}
    assert pioneer_plan(onboarding)[:2] == (0, ["no-op"])


def test_a_checkout_under_another_app_than_the_links_profile_is_refused(
    onboarding: Onboarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY_EU", EU_KEY)
    onboarding.world.admin("POST", "/stripe/keys", {"key": EU_KEY})
    eu_app = onboarding.world.stripe_app(name="Stripe EU", api_key=EU_KEY)
    onboarding.world.profile(eu_app, "eu-direct")
    onboarding.world.customer("pioneer", name="Pioneer", labels=labels_of(PIONEER))
    in_eu = {**PIONEER, "spec": {**PIONEER["spec"], "billing_profile": "eu-direct"}}
    write_manifests(onboarding.project, *onboarding.documents(), EU_APP, EU_DIRECT, in_eu)
    stripe_customers = onboarding.world.admin("GET", "/collections/stripe.customers")

    refused = onboarding.run("checkout-url", "pioneer", "--success-url", SUCCESS)

    assert refused.exit_code == 1
    assert "Konnect bills the customer through self-serve (app Stripe)" in refused.stderr
    assert "not eu-direct (app Stripe EU)" in refused.stderr
    assert onboarding.checkout_sessions() == []
    assert onboarding.world.admin("GET", "/collections/stripe.customers") == stripe_customers
    [pending] = pioneer_plan(onboarding)[2]
    assert "a checkout would create its Stripe customer in the wrong Stripe account" in pending


CHECKOUT_AGAIN = (
    "send the customer a new checkout link (`reconcile checkout-url`); completing it saves a "
    "new card as the default"
)


def test_after_checkout_the_stripe_ids_konnect_linked_are_checked_by_plan_and_drift(
    onboarding: Onboarding,
) -> None:
    session = onboarding.checkout("hooli", "--success-url", SUCCESS)
    completed = onboarding.world.admin(
        "POST", f"/konnect/checkout-sessions/{session['session_id']}/complete"
    )
    stripe_customer, card = completed["stripe_customer_id"], completed["payment_method_id"]
    onboarding.world.admin("POST", f"/stripe/payment-methods/{card}/detach")

    assert onboarding.blocked_hooli_findings() == [
        (
            "error",
            f"payment method {card} is not attached to Stripe customer {stripe_customer}",
            CHECKOUT_AGAIN,
        )
    ]

    onboarding.world.admin("DELETE", f"/stripe/customers/{stripe_customer}")
    drift = onboarding.run("drift", "--output", "json")
    assert drift.exit_code == 2, drift.output
    items = json.loads(drift.stdout)["items"]
    assert [
        (i["class"], i["message"], i["fix"])
        for i in items
        if i["address"].partition(".")[2] == "hooli"
    ] == [
        (
            "stripe",
            f"Stripe customer {stripe_customer} was deleted",
            "link a live Stripe customer: declare stripe.customer_id instead of "
            "`onboarding: checkout`",
        )
    ]


def test_a_stripe_customer_deleted_mid_onboarding_blocks_the_plan(
    onboarding: Onboarding,
) -> None:
    # Konnect linked a Stripe customer when the session was made; it is deleted before the
    # customer completes the checkout, which then can never save a card.
    session = onboarding.checkout("hooli", "--success-url", SUCCESS)
    stripe_customer = session["stripe_customer_id"]
    onboarding.world.admin("DELETE", f"/stripe/customers/{stripe_customer}")

    assert onboarding.blocked_hooli_findings() == [
        (
            "error",
            f"Stripe customer {stripe_customer} was deleted",
            "link a live Stripe customer: declare stripe.customer_id instead of "
            "`onboarding: checkout`",
        )
    ]
    drift = onboarding.run("drift", "--output", "json")
    assert drift.exit_code == 2, drift.output
    assert [
        (i["class"], i["message"])
        for i in json.loads(drift.stdout)["items"]
        if i["address"].partition(".")[2] == "hooli"
    ] == [("stripe", f"Stripe customer {stripe_customer} was deleted")]


def test_a_linked_stripe_customer_missing_from_the_account_is_relinked_by_the_manifest(
    onboarding: Onboarding,
) -> None:
    # Not a deleted customer but none at all, as when the app's key now opens another
    # account: a new checkout cannot help, Konnect makes a customer only while none is linked.
    session = onboarding.checkout("hooli", "--success-url", SUCCESS)
    stripe_customer = session["stripe_customer_id"]
    onboarding.world.admin("DELETE", f"/collections/stripe.customers/{stripe_customer}")

    assert onboarding.blocked_hooli_findings() == [
        (
            "error",
            f"Stripe customer {stripe_customer} does not exist in the app's Stripe account",
            "link a customer of that account: declare its id in stripe.customer_id instead of "
            "`onboarding: checkout`",
        )
    ]


def test_portal_url_for_a_linked_customer(onboarding: Onboarding) -> None:
    result = onboarding.run("portal-url", "globex", "--return-url", RETURN, "--output", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["stripe_customer_id"] == onboarding.globex_stripe
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/hosted/portal/bps_\w+", document["url"])
    assert document["return_url"] == RETURN
    assert document["session_id"].startswith("bps_")
    text = onboarding.run("portal-url", "globex", "--return-url", RETURN)
    assert text.stdout.count("/hosted/portal/bps_") == 1


def test_portal_url_refuses_a_customer_without_a_stripe_customer(onboarding: Onboarding) -> None:
    result = onboarding.run("portal-url", "hooli", "--return-url", RETURN)

    assert result.exit_code == 1
    assert "CustomerBilling/hooli has no linked Stripe customer" in result.stderr
    assert "reconcile checkout-url DIR hooli" in result.stderr


def test_dir_defaults_to_the_current_directory(
    onboarding: Onboarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(onboarding.project)

    checkout = CliRunner().invoke(main, ["checkout-url", "hooli", "--success-url", SUCCESS])
    portal = CliRunner().invoke(main, ["portal-url", "globex", "--return-url", RETURN])
    extra = CliRunner().invoke(main, ["portal-url", ".", "globex", "more", "--return-url", RETURN])
    missing = CliRunner().invoke(main, ["portal-url", "nowhere", "globex", "--return-url", RETURN])

    assert checkout.exit_code == 0, checkout.output
    assert "Checkout for CustomerBilling/hooli (customer key hooli):" in checkout.stdout
    assert portal.exit_code == 0, portal.output
    assert "Billing portal for CustomerBilling/globex (customer key globex)" in portal.stdout
    assert extra.exit_code == 1
    assert "Got unexpected extra argument (more)" in extra.stderr
    assert missing.exit_code == 1
    assert "Invalid value for 'DIR': Directory 'nowhere' does not exist." in missing.stderr


def test_unknown_customer_name_suggests_the_closest(onboarding: Onboarding) -> None:
    misspelt = onboarding.run("checkout-url", "hoolli", "--success-url", SUCCESS)
    other_kind = onboarding.run("portal-url", "BillingProfile/invoiced", "--return-url", RETURN)

    assert misspelt.exit_code == 1
    assert "no CustomerBilling manifest named 'hoolli' (did you mean 'hooli'?)" in misspelt.stderr
    assert other_kind.exit_code == 1
    assert "expected NAME or CustomerBilling/NAME" in other_kind.stderr
    assert onboarding.checkout_sessions() == []


def test_customer_missing_in_konnect_asks_for_apply(onboarding: Onboarding) -> None:
    result = onboarding.run("checkout-url", "initech", "--success-url", SUCCESS)

    assert result.exit_code == 1
    assert "Konnect has no customer with key 'initech'" in result.stderr
    assert "reconcile apply" in result.stderr
    assert onboarding.checkout_sessions() == []


def test_declared_stripe_customer_needs_force(
    onboarding: Onboarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", OTHER_STRIPE_KEY)
    refused = onboarding.run("checkout-url", "globex", "--success-url", SUCCESS)
    assert refused.exit_code == 1
    assert "--force" in refused.stderr and onboarding.checkout_sessions() == []

    forced = onboarding.run(
        "checkout-url", "globex", "--success-url", SUCCESS, "--force", "--output", "json"
    )

    assert forced.exit_code == 0, forced.output
    document = json.loads(forced.stdout)
    assert document["stripe_customer_id"] == onboarding.globex_stripe
    assert document["billing_address_collection"] == "auto"  # the invoiced profile sends invoices
    assert "Warning: CustomerBilling/globex declares its Stripe link" in forced.stderr
    assert document["warnings"]


def test_a_declared_link_konnect_bills_through_another_profile_needs_apply_first(
    onboarding: Onboarding,
) -> None:
    moved = [
        {**d, "spec": {**d["spec"], "billing_profile": "self-serve"}}
        if d["metadata"]["name"] == "globex"
        else d
        for d in onboarding.documents()
    ]
    write_manifests(onboarding.project, *moved)

    refused = onboarding.run("checkout-url", "globex", "--success-url", SUCCESS, "--force")

    assert refused.exit_code == 1
    assert "Konnect bills CustomerBilling/globex through billing profile 'invoiced', not " in (
        refused.stderr
    )
    assert "run `reconcile apply` first, which pins it" in refused.stderr
    assert onboarding.checkout_sessions() == []


def test_konnect_errors_name_status_and_detail(onboarding: Onboarding) -> None:
    account = onboarding.world.admin("GET", "/stripe/accounts")["data"][0]["id"]
    onboarding.world.admin("DELETE", f"/stripe/accounts/{account}/portal-configurations/default")

    result = onboarding.run("portal-url", "globex", "--return-url", RETURN)

    assert result.exit_code == 1
    assert (
        "Konnect: POST /openmeter/customers/{customerId}/billing/stripe/portal-sessions: 400"
        in (result.stderr)
    )
    assert "default configuration has not been created" in result.stderr


def test_bad_option_combinations_are_usage_errors(onboarding: Onboarding) -> None:
    no_url = onboarding.run("checkout-url", "hooli")
    mixed = onboarding.run("checkout-url", "hooli", "--embedded", "--success-url", SUCCESS)

    assert no_url.exit_code == mixed.exit_code == 1
    assert "hosted checkout needs --success-url" in no_url.stderr
    assert "--embedded takes --return-url" in mixed.stderr


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ({"fault_rate": 1.0, "fault_statuses": [429], "retry_after_seconds": 0}, "not retried"),
        ({"drop_rate": 1.0}, "a checkout session may exist"),
        (
            {"route_answers": {CHECKOUT_ROUTE: {"status": 201}}},
            r"201 with an empty body; expected a JSON object with a `session_id`: Konnect said "
            "it succeeded, so a checkout session may exist",
        ),
    ],
)
def test_the_checkout_request_is_sent_once(
    onboarding: Onboarding, faults: dict[str, Any], expected: str
) -> None:
    manifests = load_manifests(onboarding.project)
    link = find_link(manifests, "hooli")
    with connect(manifests, None) as connection:
        konnect = connection.sources.konnect
        prepared = prepare_checkout(konnect, link, CheckoutRequest(success_url=SUCCESS))
        admin = f"{connection.sandbox_url}/_sandbox"
        httpx.patch(f"{admin}/faults", json=faults).raise_for_status()
        with pytest.raises(CheckoutUncertain, match=expected):
            create_checkout(konnect, prepared)
        stats = httpx.get(f"{admin}/stats").json()

    assert stats["requests"][CHECKOUT_ROUTE] == 1
    assert konnect.retry.max_attempts > 1  # only the checkout request went without retries
