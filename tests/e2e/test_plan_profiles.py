"""Billing profiles: normalisation (no phantom diffs), replace on app change, default switch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import main
from tests.e2e.worlds import (
    OWNED,
    STRIPE_APP,
    SUPPLIER,
    World,
    manifest,
    profile_body,
    write_manifests,
)

WORKFLOW = {
    "collection": {"interval": "PT0S"},
    "invoicing": {"draft_period": "P2W", "auto_advance": False},
    "payment": {"collection_method": "send_invoice", "due_after": "PT720H"},
    "tax": {"enabled": False},
}


def profile_manifest(name: str, *, default: bool = False, **spec: Any) -> dict[str, Any]:
    return manifest(
        "BillingProfile",
        name,
        {"default": default, "app": "stripe", "supplier": SUPPLIER, **spec},
    )


def seed_profile(world: World, app: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    body = profile_body(document["spec"], document["metadata"]["name"], None)
    created: dict[str, Any] = world.konnect(
        "POST",
        "/profiles",
        {**body, "apps": {role: {"id": app["id"]} for role in ("tax", "invoicing", "payment")}},
    )
    return created


def plan(project: Path, *args: str, exit_code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["plan", str(project), "--output", "json", *args])
    assert result.exit_code == exit_code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_profile_created_from_the_manifest_plans_clean(project: Path, world: World) -> None:
    app = world.stripe_app()
    documents = [
        profile_manifest("main", default=True, workflow=WORKFLOW, description="Main"),
        profile_manifest("bare"),
    ]
    for document in documents:
        seed_profile(world, app, document)
    write_manifests(project, STRIPE_APP, *documents)
    data = plan(project, "--skip-stripe-checks")
    assert data["is_noop"] is True, data["actions"]


def test_out_of_band_workflow_edit_is_one_field_change(project: Path, world: World) -> None:
    app = world.stripe_app()
    document = profile_manifest("main", default=True, workflow=WORKFLOW)
    live = seed_profile(world, app, document)
    edited = profile_body(document["spec"], "main", None)
    edited["workflow"] = {**WORKFLOW, "collection": {"interval": "PT2H"}}
    world.konnect("PUT", f"/profiles/{live['id']}", edited)
    write_manifests(project, STRIPE_APP, document)
    [action] = [a for a in plan(project, "--skip-stripe-checks")["actions"] if a["type"] != "no-op"]
    assert action["type"] == "update"
    assert [(c["path"], c["before"], c["after"]) for c in action["changes"]] == [
        ("workflow.collection.interval", "PT2H", "P0D")
    ]


def test_changing_the_app_replaces_the_profile(project: Path, world: World) -> None:
    world.stripe_app()
    other = world.stripe_app(name="Other")
    document = profile_manifest("main", default=True)
    seed_profile(world, other, document)
    write_manifests(project, STRIPE_APP, document)
    result = CliRunner().invoke(main, ["plan", str(project), "--skip-stripe-checks"])
    assert result.exit_code == 0, result.output
    assert '-/+ billing_profile "main" {' in result.stdout
    assert '~ app = "(not managed: Other)" -> "stripe" # forces replacement' in result.stdout
    assert "a new profile is created, then the old one is deleted" in result.stdout
    assert "the new profile becomes the default before the old one goes" in result.stdout
    assert "Plan: 1 to add, 0 to change, 1 to destroy." in result.stdout


def test_default_switch_promotes_the_new_default_before_the_old_is_demoted(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    old = profile_manifest("old", default=True)
    new = profile_manifest("new")
    seed_profile(world, app, old)
    seed_profile(world, app, new)
    old["spec"]["default"] = False
    new["spec"]["default"] = True
    write_manifests(project, STRIPE_APP, old, new)
    actions = [a for a in plan(project, "--skip-stripe-checks")["actions"] if a["type"] != "no-op"]
    assert [a["address"].partition(".")[2] for a in actions] == ["new", "old"]
    assert actions[1]["depends_on"] == [
        "billing_profile.new",
        "stripe_app.stripe",
    ]
    assert actions[0]["releases"] == ["billing_profile.old"]
    assert "becomes the default profile in place of billing_profile.old" in actions[0]["reasons"]
    text = CliRunner().invoke(main, ["plan", str(project), "--skip-stripe-checks"]).stdout
    old_heading = text.split("# billing_profile.old will be updated in-place\n", 1)[1]
    assert "  # (after billing_profile.new)\n" in old_heading.split('~ billing_profile "old"')[0]
    assert "# (after" not in text.split("# billing_profile.old", 1)[0]


def test_a_plan_limited_to_a_new_default_keeps_what_it_blocks_on_the_links_that_follow(
    project: Path, world: World
) -> None:
    # The link names no profile: making `taxed` the default moves it there, and `taxed`
    # enforces tax, which its Stripe customer (no address) cannot meet. A plan limited to the
    # profiles must still say so, or `-r` would apply around the check.
    app = world.stripe_app()
    old = profile_manifest("old", default=True)
    taxed = profile_manifest("taxed", workflow={"tax": {"enabled": True, "enforced": True}})
    seed_profile(world, app, old)
    seed_profile(world, app, taxed)
    stripe_customer = world.stripe_customer(addressed=False)
    world.card(stripe_customer)
    world.link(world.customer("acme"), stripe_customer)
    link = manifest(
        "CustomerBilling",
        "acme",
        {"customer": {"key": "acme"}, "stripe": {"customer_id": stripe_customer}},
    )
    old["spec"]["default"] = False
    taxed["spec"]["default"] = True
    write_manifests(project, STRIPE_APP, old, taxed, link)
    limited = plan(project, "-r", "BillingProfile/taxed", exit_code=1)
    assert [(f["address"].partition(".")[2], f["message"]) for f in limited["findings"]] == [
        ("acme", f"Stripe customer {stripe_customer} has no address, and its profile enforces tax")
    ]
    assert limited["findings"][0]["concerns"] == ["billing_profile.taxed"]
    # A plan limited to what the link does not depend on leaves it out.
    assert plan(project, "-r", "StripeApp/stripe")["findings"] == []


def test_pruned_default_profile_is_deleted_after_the_new_default_takes_over(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    world.profile(app, "Legacy", default=True, labels=OWNED)
    new = profile_manifest("new")
    seed_profile(world, app, new)
    new["spec"]["default"] = True
    write_manifests(project, STRIPE_APP, new)
    actions = [
        a
        for a in plan(project, "--skip-stripe-checks", "--prune")["actions"]
        if a["type"] != "no-op"
    ]
    assert [(a["type"], a["address"].partition(".")[2]) for a in actions] == [
        ("update", "new"),
        ("delete", "Legacy"),
    ]


def test_the_default_profile_is_not_pruned_without_a_new_default(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    world.profile(app, "Legacy", default=True, labels=OWNED)
    write_manifests(project, STRIPE_APP)
    [action] = [
        a
        for a in plan(project, "--skip-stripe-checks", "--prune", exit_code=1)["actions"]
        if a["type"] != "no-op"
    ]
    assert action["type"] == "blocked"
    assert "Konnect refuses to delete the default" in action["reasons"][0]


def test_a_profile_that_waits_for_no_late_usage_is_a_plan_warning(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    document = profile_manifest("main", default=True, workflow={"collection": {"interval": "PT0S"}})
    seed_profile(world, app, document)
    write_manifests(project, STRIPE_APP, document)
    planned = plan(project, "--skip-stripe-checks")
    [finding] = planned["findings"]
    assert (finding["address"], finding["severity"]) == ("billing_profile.main", "warning")
    assert finding["message"].startswith(
        "workflow.collection.interval P0D: a wait for late usage of zero invoices only the "
        "events received by then"
    )
    assert planned["is_noop"] is True
