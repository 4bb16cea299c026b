"""Customer links that a plan moves to another billing profile or collection method: listed in
every output, and checked against the profile they move to before anything is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.views.plan_json import PLAN_OUTPUT_FILE
from tests.e2e.seeding import seed
from tests.e2e.test_apply import state
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

REPO = Path(__file__).resolve().parents[2]
PLAN_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((REPO / "schemas" / PLAN_OUTPUT_FILE).read_text())
)
CARDS = "billing_profile.cards"
INVOICES = "billing_profile.invoices"


def profile(name: str, method: str, *, default: bool = False) -> dict[str, Any]:
    workflow = {"payment": {"collection_method": method}, "tax": {"enabled": False}}
    spec = {"default": default, "app": "stripe", "supplier": SUPPLIER, "workflow": workflow}
    return manifest("BillingProfile", name, spec)


def cards(*, default: bool = False) -> dict[str, Any]:
    return profile("cards", "charge_automatically", default=default)


def invoices(*, default: bool = False) -> dict[str, Any]:
    return profile("invoices", "send_invoice", default=default)


def link(name: str, stripe_customer: str, **spec: Any) -> dict[str, Any]:
    customer = {"key": name, "name": name.title()}
    stripe = {"customer_id": stripe_customer}
    return manifest("CustomerBilling", name, {"customer": customer, "stripe": stripe, **spec})


def reconcile(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def plan_json(project: Path, *args: str, exit_code: int = 0) -> dict[str, Any]:
    """`plan --output json`, checked against its published schema."""
    result = reconcile("plan", str(project), "--output", "json", *args)
    assert result.exit_code == exit_code, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    assert list(PLAN_SCHEMA.iter_errors(document)) == []
    return document


def moved(
    name: str, before: tuple[str, str], after: tuple[str, str], cause: str, *concerns: Any
) -> dict[str, Any]:
    return {
        "address": f"customer_billing.{name}",
        "before": {"billing_profile": before[0], "collection_method": before[1]},
        "after": {"billing_profile": after[0], "collection_method": after[1]},
        "cause": cause,
        "concerns": list(concerns),
    }


def findings(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["address"].partition(".")[2], f["message"]) for f in document["findings"]]


def switch_default(examples: Path) -> None:
    """Move `default: true` from the examples' card profile to their invoicing one."""
    self_serve = examples / "billing-profiles" / "self-serve.yaml"
    self_serve.write_text(self_serve.read_text().replace("  default: true\n", ""))
    enterprise = examples / "billing-profiles" / "enterprise.yaml"
    text = enterprise.read_text().replace("  app: stripe\n", "  default: true\n  app: stripe\n")
    enterprise.write_text(text)


GLOBEX = (
    "customer_billing.globex: charge_automatically -> send_invoice (follows the default "
    "profile: self-serve -> enterprise; the card it names, pm_1Pq2Rs3Tu4Vw5Xy6, is no longer "
    "charged: invoices are sent)"
)
INITECH = (
    "customer_billing.initech: charge_automatically -> send_invoice (follows the default "
    "profile: self-serve -> enterprise)"
)
HOOLI = (
    "customer_billing.hooli: charge_automatically -> send_invoice (follows the default "
    "profile: self-serve -> enterprise)"
)


def test_moving_the_default_in_the_examples_lists_every_link_that_follows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    examples = tmp_path / "examples"
    shutil.copytree(
        REPO / "examples", examples, ignore=shutil.ignore_patterns("invalid", ".reconcile")
    )
    without_addresses(examples / "sandbox-seed.yaml", "cus_Q1w2E3r4T5y6U7", "cus_R8t9Y0u1I2o3P4")
    applied = reconcile("apply", str(examples), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    switch_default(examples)

    text = reconcile("plan", str(examples), "--no-color")
    # Enterprise enforces tax, and the Stripe customers of globex and initech have no address.
    assert text.exit_code == 1, text.output
    listing = (
        "Customer links that move to another billing profile or collection method:\n"
        f"  ~ {GLOBEX}\n  ~ {INITECH}\n  ~ {HOOLI}\n"
    )
    assert listing in text.stdout

    document = plan_json(examples, exit_code=1)
    to_invoices = (("self-serve", "charge_automatically"), ("enterprise", "send_invoice"))
    enterprise = "billing_profile.enterprise"
    follows = "follows the default profile: self-serve -> enterprise"
    assert document["moved_links"] == [
        moved(
            "globex",
            *to_invoices,
            follows + "; the card it names, pm_1Pq2Rs3Tu4Vw5Xy6, is no longer charged: "
            "invoices are sent",
            enterprise,
        ),
        moved("initech", *to_invoices, follows, enterprise),
        moved("hooli", *to_invoices, follows, enterprise),
    ]
    blocking = [(f["address"].partition(".")[2], f["concerns"]) for f in document["findings"]]
    assert ("globex", [enterprise]) in blocking and ("initech", [enterprise]) in blocking

    markdown = reconcile("plan", str(examples), "--output", "markdown")
    summary = markdown.stdout.split("<details>", 1)[0]
    assert (
        "**3 customer link(s) move to another billing profile or collection method:**\n\n"
        f"- `{GLOBEX}`\n- `{INITECH}`\n- `{HOOLI}`\n"
    ) in summary

    # Links left unread on the strength of their applied-digest label move all the same.
    cached = plan_json(examples, "--refresh=false", exit_code=1)
    assert cached["moved_links"] == document["moved_links"]


def without_addresses(seed_file: Path, *customer_ids: str) -> None:
    """The seed with these Stripe customers' addresses left out."""
    seed = yaml.safe_load(seed_file.read_text())
    for customer in seed["stripe"]["customers"]:
        if customer["id"] in customer_ids:
            customer.pop("address", None)
    seed_file.write_text(yaml.safe_dump(seed, sort_keys=False))


def follower_of_a_moving_default(world: World, project: Path, stripe_customer: str) -> None:
    """acme follows the default profile `cards`; the manifests make `invoices` the default."""
    seed(world, [STRIPE_APP, cards(default=True), invoices(), link("acme", stripe_customer)])
    write_manifests(
        project, STRIPE_APP, cards(), invoices(default=True), link("acme", stripe_customer)
    )


TO_INVOICES = (("cards", "charge_automatically"), ("invoices", "send_invoice"))
FOLLOWS = "follows the default profile: cards -> invoices"


def test_a_moved_link_whose_stripe_customer_has_no_email_blocks_before_anything_is_written(
    project: Path, world: World
) -> None:
    payer = world.stripe_customer(email=None)
    world.card(payer)
    follower_of_a_moving_default(world, project, payer)
    document = plan_json(project, exit_code=1)
    assert document["moved_links"] == [moved("acme", *TO_INVOICES, FOLLOWS, INVOICES)]
    assert findings(document) == [
        ("acme", f"Stripe customer {payer} has no email, and its profile sends invoices")
    ]
    before = state(world)
    applied = reconcile("apply", str(project), "--auto-approve")
    assert applied.exit_code == 1
    assert "finding(s) block apply; nothing was written" in applied.output
    assert state(world) == before


@pytest.mark.parametrize(
    "scope", ["BillingProfile/invoices", "BillingProfile/cards", "CustomerBilling/acme"]
)
def test_a_plan_limited_to_a_part_of_the_move_keeps_the_moved_link_and_its_checks(
    project: Path, world: World, scope: str
) -> None:
    payer = world.stripe_customer(email=None)
    world.card(payer)
    follower_of_a_moving_default(world, project, payer)
    limited = plan_json(project, "-r", scope, exit_code=1)
    assert limited["moved_links"] == [moved("acme", *TO_INVOICES, FOLLOWS, INVOICES)]
    assert [name for name, _ in findings(limited)] == ["acme"]
    # A plan limited to what the move does not depend on leaves both out.
    unrelated = plan_json(project, "-r", "StripeApp/stripe")
    assert unrelated["moved_links"] == [] and unrelated["findings"] == []


def test_a_profile_that_changes_its_collection_method_lists_the_links_billed_through_it(
    project: Path, world: World
) -> None:
    invoiced = world.stripe_customer()  # an email, and no card to charge
    paying = world.stripe_customer()
    world.card(paying)
    acme = link("acme", invoiced, billing_profile="invoices")
    globex = link("globex", paying)
    seed(world, [STRIPE_APP, cards(default=True), invoices(), acme, globex])
    charging = profile("invoices", "charge_automatically")
    write_manifests(project, STRIPE_APP, cards(default=True), charging, acme, globex)
    document = plan_json(project, exit_code=1)
    assert document["moved_links"] == [
        moved(
            "acme",
            ("invoices", "send_invoice"),
            ("invoices", "charge_automatically"),
            "invoices changes its collection method",
            INVOICES,
        )
    ]
    assert findings(document) == [
        (
            "acme",
            f"no default_payment_method_id is given and Stripe customer {invoiced} has no "
            "invoice default payment method to charge",
        )
    ]


def test_a_replaced_profile_lists_the_links_billed_through_it(project: Path, world: World) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "main", default=True, supplier=SUPPLIER)
    payer = world.stripe_customer()
    world.card(payer)
    world.link(world.customer("acme", name="Acme"), payer)
    main_profile = profile("main", "charge_automatically", default=True)
    write_manifests(project, STRIPE_APP, main_profile, link("acme", payer))
    document = plan_json(project, "--skip-stripe-checks", exit_code=1)
    # Konnect cannot move the links' invoices to another app, so the replacement is blocked,
    # and the entry says the move waits for it.
    assert document["moved_links"] == [
        moved(
            "acme",
            ("main", "charge_automatically"),
            ("main", "charge_automatically"),
            "main is replaced, with another Stripe app; billing_profile.main is blocked, so it "
            "moves only once that is resolved",
            "billing_profile.main",
        )
    ]


def test_a_link_its_manifest_moves_is_listed_as_its_own_change(project: Path, world: World) -> None:
    payer = world.stripe_customer()
    world.card(payer)
    seed(world, [STRIPE_APP, cards(default=True), invoices(), link("acme", payer)])
    pinned = link("acme", payer, billing_profile="invoices")
    write_manifests(project, STRIPE_APP, cards(default=True), invoices(), pinned)
    document = plan_json(project)
    assert document["moved_links"] == [
        moved("acme", *TO_INVOICES, "its manifest pins it: cards -> invoices")
    ]


def test_a_link_konnect_keeps_pinned_stays_and_is_checked_against_its_pin(
    project: Path, world: World
) -> None:
    payer = world.stripe_customer(email=None)  # fine for cards; invoices would need an email
    world.card(payer)
    seed(world, [STRIPE_APP, cards(default=True), invoices()])
    [pinned_to] = [p for p in world.konnect("GET", "/profiles")["data"] if p["name"] == "cards"]
    world.link(world.customer("acme", name="Acme"), payer, profile=pinned_to)
    write_manifests(project, STRIPE_APP, cards(), invoices(default=True), link("acme", payer))
    document = plan_json(project)
    assert document["moved_links"] == []
    [(name, message)] = findings(document)
    assert (name, message.split(":")[0]) == (
        "acme",
        "Konnect has this customer pinned to the default profile cards, which the manifest "
        "leaves it following",
    )


def test_customers_in_no_manifest_that_may_follow_the_default_are_counted(
    project: Path, world: World
) -> None:
    seed(world, [STRIPE_APP, cards(default=True), invoices()])
    for key in ("walk-in-1", "walk-in-2"):
        world.customer(key, labels={})
    write_manifests(project, STRIPE_APP, cards(default=True), invoices())
    assert plan_json(project)["findings"] == []
    write_manifests(project, STRIPE_APP, cards(), invoices(default=True))
    document = plan_json(project)
    assert document["findings"] == [
        {
            "address": INVOICES,
            "severity": "warning",
            "message": "2 Konnect customer(s) are in no manifest, so their billing is not read: "
            "those that follow the default profile move with it too, from cards "
            "(charge_automatically) to invoices (send_invoice), unchecked against Stripe",
            "fix": "declare them as CustomerBilling (`reconcile export` writes their manifests) "
            "to have them listed and checked; one that must stay on cards needs "
            "spec.billing_profile: cards",
            "concerns": [],
        }
    ]
    assert document["moved_links"] == []
    assert plan_json(project, "-r", "BillingProfile/cards")["findings"] == document["findings"]


def test_a_link_pinned_to_a_profile_no_manifest_declares_does_not_move(
    project: Path, world: World
) -> None:
    payer = world.stripe_customer()
    world.card(payer)
    seed(world, [STRIPE_APP, cards(default=True)])
    [app] = world.konnect("GET", "/apps")["data"]
    legacy = world.profile(app, "Legacy", labels={})
    world.link(world.customer("acme", name="Acme"), payer, profile=legacy)
    write_manifests(project, STRIPE_APP, cards(default=True), link("acme", payer))
    document = plan_json(project)
    assert document["moved_links"] == []
    assert [name for name, _ in findings(document)] == ["acme"]  # the pin it keeps, warned of
