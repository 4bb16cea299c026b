"""`reconcile plan` through click's CliRunner against the embedded sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, World, manifest, write_manifests

SAAS = manifest(
    "TaxCode",
    "saas",
    {"key": "saas_general", "name": "SaaS", "stripe_tax_code": "txcd_10103001"},
)


def run_plan(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["plan", str(project), *args])


def plan_json(project: Path, *args: str) -> dict[str, Any]:
    result = run_plan(project, "--output", "json", *args)
    assert result.exit_code in (0, 2), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_empty_world_plans_creates_in_dependency_order(project: Path) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    result = run_plan(project, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "STRIPE_API_KEY is not set; the sandbox's built-in test key is used" in result.stdout
    assert '+ stripe_app "stripe" {' in result.stdout
    assert "+ api_key = (sensitive value)" in result.stdout
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in result.stdout
    assert "sk_test_" not in result.output


def test_matching_world_plans_no_changes(project: Path, world: World) -> None:
    world.stripe_app()
    world.tax_code("saas_general", "SaaS")
    write_manifests(project, STRIPE_APP, SAAS)
    result = run_plan(project, "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    data = plan_json(project)
    assert data["is_noop"] is True
    assert data["summary"] == {"add": 0, "change": 0, "destroy": 0, "blocked": 0}


def test_update_shows_each_field_before_and_after(project: Path, world: World) -> None:
    world.stripe_app()
    world.tax_code("saas_general", "Old name", stripe_code="txcd_10000000")
    write_manifests(project, STRIPE_APP, SAAS)
    result = run_plan(project, "--no-color")
    assert result.exit_code == 0, result.output
    assert '~ name = "Old name" -> "SaaS"' in result.stdout
    assert '~ app_mappings.stripe = "txcd_10000000" -> "txcd_10103001"' in result.stdout
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.stdout


def test_unowned_live_resources_are_listed_not_managed(project: Path, world: World) -> None:
    world.stripe_app()
    world.tax_code("legacy", "Legacy", labels={})
    write_manifests(project, STRIPE_APP)
    data = plan_json(project, "--prune")
    assert "tax_code.legacy" in data["not_managed"]
    assert data["is_noop"] is True


def test_owned_tax_code_missing_from_manifests_is_an_orphan_even_with_prune(
    project: Path, world: World
) -> None:
    world.stripe_app()
    world.tax_code("retired", "Retired")
    write_manifests(project, STRIPE_APP)
    data = plan_json(project, "--prune")
    assert data["is_noop"] is True
    [finding] = [f for f in data["findings"] if f["address"].partition(".")[2] == "retired"]
    assert finding["severity"] == "warning"
    assert "cannot delete it" in finding["message"]


def test_owned_stripe_app_is_deleted_only_with_prune(project: Path, world: World) -> None:
    world.stripe_app(name="Old Stripe")
    write_manifests(project, SAAS)
    without = plan_json(project)
    assert without["summary"]["destroy"] == 0
    assert any("--prune" in f["fix"] for f in without["findings"])
    with_prune = plan_json(project, "--prune")
    deletes = [a for a in with_prune["actions"] if a["type"] == "delete"]
    assert [a["address"] for a in deletes] == ["stripe_app.Old Stripe"]
    assert with_prune["prune_scope"] == ["stripe_app", "billing_profile", "meter", "feature"]


def test_organization_defaults_refer_to_tax_codes_by_name(project: Path, world: World) -> None:
    world.stripe_app()
    saas = world.tax_code("saas_general", "SaaS")
    other = world.tax_code("other", "Other", labels={})
    world.tax_defaults(invoicing=other, credit_grants=saas)
    defaulted = {**SAAS, "spec": {**SAAS["spec"], "organization_default_for": ["invoicing"]}}
    write_manifests(project, STRIPE_APP, defaulted)
    data = plan_json(project)
    [action] = [a for a in data["actions"] if a["address"].partition(".")[0] == "tax_defaults"]
    assert action["type"] == "update"
    assert action["changes"] == [
        {
            "path": "invoicing",
            "before": "(not managed: other)",
            "after": "saas",
            "sensitive": False,
            "forces_replacement": False,
        }
    ]
    assert action["depends_on"] == ["tax_code.saas"]


def test_rotated_key_is_an_update_of_a_sensitive_field(
    project: Path, world: World, monkeypatch: Any
) -> None:
    world.stripe_app()
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_" + "rotated" + "1" * 20)
    write_manifests(project, STRIPE_APP)
    data = plan_json(project, "--skip-stripe-checks")
    [action] = data["actions"]
    assert action["type"] == "update"
    assert action["changes"] == [
        {
            "path": "api_key",
            "before": None,
            "after": None,
            "sensitive": True,
            "forces_replacement": False,
        }
    ]
    assert "rotated" not in json.dumps(data)


def test_first_and_second_plan_name_the_org_default_code_alike(project: Path) -> None:
    """The org's general tax code exists from the start: the first plan, on a fresh sandbox,
    names it as the second does, not as an id it could not find."""
    default_saas = manifest(
        "TaxCode",
        "saas",
        {
            "key": "saas_general",
            "name": "SaaS",
            "stripe_tax_code": "txcd_10103001",
            "organization_default_for": ["invoicing"],
        },
    )
    write_manifests(project, STRIPE_APP, default_saas)
    first = run_plan(project, "--no-color")
    second = run_plan(project, "--no-color")
    expected = '~ invoicing = "(not managed: stripe_txcd_10000000)" -> "saas"'
    assert expected in first.stdout, first.output
    assert expected in second.stdout, second.output
