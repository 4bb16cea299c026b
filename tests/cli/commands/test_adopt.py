"""Adoption: plan never changes a live object reconcile did not create unless told to.

A declared StripeApp, TaxCode or BillingProfile whose key matches an unowned object is
blocked; the adopt annotation or `reconcile adopt` lets reconcile manage it. A customer link
adopts its customer on its own. All through the CLI against the embedded sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

ADOPT = {"reconcile.konghq.dev/adopt": "true"}
PROFILE = manifest(
    "BillingProfile",
    "main",
    {"name": "Main", "default": True, "app": "stripe", "supplier": SUPPLIER},
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def plan_actions(project: Path) -> dict[str, dict[str, Any]]:
    result = run("plan", project, "--output", "json", "--skip-stripe-checks")
    actions = json.loads(result.stdout)["actions"]
    # A blocked action fails the plan, as it would fail apply.
    blocked = any(a["type"] == "blocked" for a in actions)
    assert result.exit_code == (1 if blocked else 0), result.output
    return {a["address"]: a for a in actions}


def stored(world: World, path: str) -> dict[str, Any]:
    document: dict[str, Any] = world.konnect("GET", path)
    return document


def with_annotations(document: dict[str, Any], annotations: dict[str, str]) -> dict[str, Any]:
    metadata = {**document["metadata"], "annotations": annotations}
    return {**document, "metadata": metadata}


def test_a_declared_profile_matching_an_unowned_one_is_blocked(project: Path, world: World) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True, labels={"team": "finance"})
    write_manifests(project, STRIPE_APP, PROFILE)
    result = run("plan", project, "--skip-stripe-checks", "--no-color")
    assert '! billing_profile "main" {' in result.stdout
    assert (
        "a live billing_profile with key 'Main' exists that reconcile did not create (no label "
        "managed-by: reconcile); to manage it, run `reconcile adopt DIR billing_profile.main` or "
        'annotate the manifest with reconcile.konghq.dev/adopt: "true"' in result.stdout
    )
    assert "Plan: 0 to add, 0 to change, 0 to destroy. 1 blocked." in result.stdout
    applied = run("apply", project, "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 1
    [profile] = stored(world, "/profiles")["data"]
    assert profile["labels"] == {"team": "finance"}


def test_the_adopt_annotation_turns_the_block_into_an_update_that_adopts(
    project: Path, world: World
) -> None:
    world.stripe_app(labels={})
    code = world.tax_code("saas_general", "Old", labels={})
    tax_code = manifest(
        "TaxCode",
        "saas",
        {"key": "saas_general", "name": "SaaS", "stripe_tax_code": "txcd_10103001"},
    )
    app = with_annotations(STRIPE_APP, ADOPT)
    write_manifests(project, app, with_annotations(tax_code, ADOPT))
    actions = plan_actions(project)
    assert actions["tax_code.saas"]["type"] == "update"
    assert actions["tax_code.saas"]["reasons"] == [
        "adopts the existing object: adds the label managed-by: reconcile"
    ]
    assert {c["path"] for c in actions["tax_code.saas"]["changes"]} == {
        "name",
        "labels.managed-by",
    }
    assert actions["stripe_app.stripe"]["type"] == "update"
    applied = run("apply", project, "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 0, applied.output
    after = stored(world, f"/tax-codes/{code['id']}")
    assert (after["name"], after["labels"]) == ("SaaS", {"managed-by": "reconcile"})


def test_adopt_adds_only_the_label_so_plan_shows_the_real_differences(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    workflow = {"invoicing": {"draft_period": "P2D"}}
    live = world.profile(app, "Main", default=True, labels={"team": "finance"}, workflow=workflow)
    write_manifests(project, STRIPE_APP, PROFILE)

    result = run("adopt", project, "BillingProfile/main")

    assert result.exit_code == 0, result.output
    assert f"Adopted billing_profile.main (id {live['id']})" in result.output
    after = stored(world, f"/profiles/{live['id']}")
    assert after["labels"] == {"team": "finance", "managed-by": "reconcile"}
    unchanged = ("name", "supplier", "workflow", "default", "apps")
    assert {k: after[k] for k in unchanged} == {k: live[k] for k in unchanged}
    action = plan_actions(project)["billing_profile.main"]
    assert action["type"] == "update"
    assert [(c["path"], c["before"], c["after"]) for c in action["changes"]] == [
        ("labels.team", "finance", None),
        ("workflow.invoicing.draft_period", "P2D", "P0D"),
    ]
    assert action["reasons"] == []


def test_adopt_refuses_without_manifest_live_match_or_when_already_managed(
    project: Path, world: World
) -> None:
    world.stripe_app()  # owned
    write_manifests(project, STRIPE_APP, PROFILE)
    no_manifest = run("adopt", project, "BillingProfile/other")
    assert no_manifest.exit_code == 1
    assert "billing_profile.other: no such manifest" in no_manifest.output
    no_live = run("adopt", project, "BillingProfile/main")
    assert no_live.exit_code == 1
    assert "no live billing_profile with key 'Main' to adopt" in no_live.output
    managed = run("adopt", project, "StripeApp/stripe")
    assert managed.exit_code == 1
    assert "stripe_app.stripe: already managed by reconcile" in managed.output


def test_adopt_writes_nothing_when_one_name_is_refused(project: Path, world: World) -> None:
    app = world.stripe_app()
    live = world.profile(app, "Main", default=True, labels={})
    write_manifests(project, STRIPE_APP, PROFILE)
    result = run("adopt", project, "BillingProfile/main", "StripeApp/stripe")
    assert result.exit_code == 1
    assert stored(world, f"/profiles/{live['id']}")["labels"] == {}


def test_dir_defaults_to_the_current_directory(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = world.stripe_app(labels={})
    live = world.profile(app, "Main", default=True, labels={})
    write_manifests(project, STRIPE_APP, PROFILE)
    monkeypatch.chdir(project)

    result = run("adopt", "BillingProfile/main", "stripe_app.stripe", "-o", "json")

    assert result.exit_code == 0, result.output
    adopted = json.loads(result.stdout)["adopted"]
    assert [item["address"] for item in adopted] == ["billing_profile.main", "stripe_app.stripe"]
    assert stored(world, f"/profiles/{live['id']}")["labels"] == {"managed-by": "reconcile"}


def test_a_first_argument_that_is_no_resource_is_dir_and_must_exist(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifests(project, STRIPE_APP, PROFILE)
    monkeypatch.chdir(project.parent)
    missing = run("adopt", "no-such-dir", "BillingProfile/main")
    assert missing.exit_code == 1
    assert "Invalid value for 'DIR': Directory 'no-such-dir' does not exist." in missing.stderr
    # A single argument is KIND/NAME, of the current directory's manifests (none here).
    alone = run("adopt", project.name)
    assert alone.exit_code == 1
    assert "expected KIND/NAME with KIND one of" in alone.stderr
    assert run("adopt").stderr.splitlines()[-1] == "Error: Missing argument '[DIR] KIND/NAME...'."


def test_a_customer_link_adopts_its_customer_without_being_told(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    customer = world.customer("acme", labels={}, name="ACME")
    stripe_customer = world.stripe_customer()
    link = manifest(
        "CustomerBilling",
        "acme",
        {"customer": {"key": "acme"}, "stripe": {"customer_id": stripe_customer}},
    )
    write_manifests(project, STRIPE_APP, PROFILE, link)
    action = plan_actions(project)["customer_billing.acme"]
    assert action["type"] == "update"
    assert action["reasons"] == ["adopts existing customer: adds the label managed-by: reconcile"]
    applied = run("apply", project, "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 0, applied.output
    after = stored(world, f"/customers/{customer['id']}")
    labels = dict(after["labels"])
    assert labels.pop("reconcile-applied")  # the digest `plan --refresh=false` trusts
    assert (after["name"], labels) == ("ACME", {"managed-by": "reconcile"})
    assert plan_actions(project)["customer_billing.acme"]["type"] == "no-op"


def test_a_system_managed_tax_code_cannot_be_declared(project: Path, world: World) -> None:
    world.stripe_app()
    world.konnect("GET", "/defaults/tax-codes")  # provisions the org's system-managed code
    system = manifest(
        "TaxCode",
        "general",
        {"key": "stripe_txcd_10000000", "name": "General", "stripe_tax_code": "txcd_10000000"},
        annotations=ADOPT,
    )
    write_manifests(project, STRIPE_APP, system)
    action = plan_actions(project)["tax_code.general"]
    assert action["type"] == "blocked"
    assert "system-managed" in action["reasons"][0]


def test_the_adopt_annotation_must_be_true_or_false(project: Path) -> None:
    app = with_annotations(STRIPE_APP, {"reconcile.konghq.dev/adopt": "yes"})
    write_manifests(project, app)
    result = run("validate", project)
    assert result.exit_code == 1
    assert 'reconcile.konghq.dev/adopt must be "true" or "false"' in result.output
