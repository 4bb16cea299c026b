"""The plan command's options: planfile, output formats, resource filter, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.engine.planning.planfile import read_planfile
from reconciler.views.plan_json import PLAN_OUTPUT_FILE
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

SECRET_KEY = "sk_test_" + "planfilesecret" + "9" * 12
PROFILE = manifest(
    "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)
TAX_CODE = manifest("TaxCode", "saas", {"key": "saas", "stripe_tax_code": "txcd_10103001"})


def plan(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["plan", str(project), *args])


def test_planfile_holds_the_plan_and_digests_but_no_secret(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.admin("POST", "/stripe/keys", {"key": SECRET_KEY})
    monkeypatch.setenv("STRIPE_API_KEY", SECRET_KEY)
    write_manifests(project, STRIPE_APP, PROFILE)
    out = project.parent / "plan.out"
    result = plan(project, "-out", str(out))
    assert result.exit_code == 0, result.output
    saved = read_planfile(out)
    assert saved.target == "sandbox"
    assert saved.plan.manifest_digest.startswith("sha256:")
    assert saved.plan.live_fingerprint.startswith("sha256:")
    assert [str(a.address) for a in saved.plan.actions] == [
        "stripe_app.stripe",
        "billing_profile.main",
    ]
    text = out.read_text()
    assert SECRET_KEY not in text and SECRET_KEY[-4:] not in text
    assert SECRET_KEY not in result.output


def test_json_output_is_versioned_and_lists_actions_in_apply_order(project: Path) -> None:
    write_manifests(project, PROFILE, STRIPE_APP, TAX_CODE)
    result = plan(project, "--output", "json", "--detailed-exitcode")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["format_version"] == 2
    assert data["target"] == "sandbox"
    assert data["summary"] == {"add": 3, "change": 0, "destroy": 0, "blocked": 0}
    assert data["is_noop"] is False
    order = [a["address"].partition(".")[0] for a in data["actions"]]
    assert order.index("stripe_app") < order.index("billing_profile")
    assert set(data) >= {
        "actions",
        "findings",
        "not_managed",
        "prune",
        "prune_scope",
        "manifest_digest",
        "live_fingerprint",
        "notes",
    }


def every_kind_of_plan(project: Path, world: World) -> None:
    """A world and manifests whose plan holds every action type, findings and not_managed."""
    world.stripe_app()
    other_app = world.stripe_app(name="Other")
    world.profile(other_app, "main", default=True)  # the manifest's app differs: replace
    world.profile(other_app, "Legacy")  # owned, named by no manifest: deleted with --prune
    world.tax_code("renamed", "Old name")  # update
    world.tax_code("saas", "Someone else's", labels={})  # unowned, manifest's key: blocked
    world.tax_code("legacy", "Legacy", labels={})  # unowned: not managed
    world.tax_code("retired", "Retired")  # owned orphan Konnect cannot delete: a finding
    renamed = manifest(
        "TaxCode",
        "renamed",
        {"key": "renamed", "name": "New name", "stripe_tax_code": "txcd_10103001"},
    )
    created = manifest("TaxCode", "new", {"key": "new", "stripe_tax_code": "txcd_10103001"})
    write_manifests(project, STRIPE_APP, PROFILE, TAX_CODE, renamed, created)


def test_json_output_validates_against_its_published_schema(project: Path, world: World) -> None:
    every_kind_of_plan(project, world)
    result = plan(project, "--output", "json", "--prune", "--skip-stripe-checks", "--refresh=false")
    assert result.exit_code == 1, result.output
    assert "block apply" in result.stderr, result.stderr
    document = json.loads(result.stdout)
    schema = json.loads((SCHEMAS / PLAN_OUTPUT_FILE).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(document)) == []
    without_summary = {key: value for key, value in document.items() if key != "summary"}
    assert not validator.is_valid(without_summary)
    assert not validator.is_valid({**document, "format_version": 1})
    action_types = {a["type"] for a in document["actions"]}
    assert action_types == {"create", "update", "replace", "delete", "no-op", "blocked"}
    assert document["findings"] and document["not_managed"]
    assert len(document["notes"]) >= 3
    assert document["is_noop"] is False


def test_markdown_output_suits_a_pull_request_comment(project: Path) -> None:
    write_manifests(project, STRIPE_APP)
    result = plan(project, "--output", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### reconcile plan")
    assert "**Plan: 1 to add, 0 to change, 0 to destroy.**" in result.stdout
    assert "```diff" in result.stdout


def test_markdown_output_leads_with_warnings_and_names_the_target(
    project: Path, world: World
) -> None:
    world.stripe_app()
    write_manifests(project, STRIPE_APP)
    result = plan(project, "--output", "markdown", "--skip-stripe-checks", "--refresh=false")
    assert result.exit_code == 0, result.output
    heading, warning, summary, notes = result.stdout.split("\n\n")
    assert heading == "### reconcile plan"
    assert warning.startswith("> [!WARNING]\n> Stripe checks were skipped")
    assert summary == "**No changes. Live state matches the manifests.**"
    assert notes.splitlines()[0] == "- Target: sandbox (embedded sandbox, Stripe test mode)"
    assert "- Note: --refresh=false: customer links whose applied-digest label" in notes
    checked = plan(project, "--output", "markdown")
    assert "[!WARNING]" not in checked.stdout and "--refresh=false" not in checked.stdout


def test_resource_filter_keeps_the_resource_and_its_dependencies(project: Path) -> None:
    write_manifests(project, STRIPE_APP, PROFILE, TAX_CODE)
    result = plan(project, "--output", "json", "-r", "BillingProfile/main")
    assert result.exit_code == 0, result.output
    addresses = [a["address"] for a in json.loads(result.stdout)["actions"]]
    assert addresses == [
        "stripe_app.stripe",
        "billing_profile.main",
    ]
    by_address = plan(project, "--output", "json", "--resource", "tax_code.saas")
    assert [a["address"].partition(".")[2] for a in json.loads(by_address.stdout)["actions"]] == [
        "saas"
    ]


def test_resource_filter_naming_nothing_is_an_error(project: Path) -> None:
    write_manifests(project, STRIPE_APP)
    result = plan(project, "-r", "TaxCode/nope")
    assert result.exit_code == 1
    assert "no such resource in the manifests or the live state: tax_code.nope" in result.output
    malformed = plan(project, "-r", "nonsense")
    assert malformed.exit_code == 1
    assert "expected KIND/NAME" in malformed.output


def test_detailed_exitcode_is_zero_without_changes(project: Path, world: World) -> None:
    world.stripe_app()
    write_manifests(project, STRIPE_APP)
    assert plan(project, "--detailed-exitcode").exit_code == 0
    assert plan(project).exit_code == 0


def test_a_blocked_action_fails_the_plan_as_it_fails_apply(project: Path, world: World) -> None:
    world.stripe_app()
    # A live tax code with the manifest's key that reconcile did not create: not touched.
    world.tax_code("saas", "Someone else's", labels={})
    write_manifests(project, STRIPE_APP, TAX_CODE)
    out = project.parent / "plan.out"
    for args in ((), ("--detailed-exitcode",)):
        result = plan(project, "-out", str(out), *args)
        assert result.exit_code == 1, result.output
        assert '! tax_code "saas" {' in result.stdout
        assert "Plan: 0 to add, 0 to change, 0 to destroy. 1 blocked." in result.stdout
        assert "1 blocked action(s) block apply" in result.stderr
    assert read_planfile(out).plan.summary.blocked == 1
    applied = CliRunner().invoke(main, ["apply", str(project), "--auto-approve"])
    assert applied.exit_code == 1, applied.output


def test_unknown_target_and_unset_secret_are_errors_that_name_no_secret(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifests(project, STRIPE_APP)
    unknown = plan(project, "--target", "production")
    assert unknown.exit_code == 1
    assert "no target 'production'" in unknown.output
    # Terraform's -target habit: the error points at the option that does it here.
    resource = plan(project, "--target", "stripe_app.stripe")
    assert resource.exit_code == 1
    assert resource.stderr.strip() == (
        "Error: no target 'stripe_app.stripe' in reconcile.yaml (known: sandbox); to limit the "
        "command to one resource, use -r/--resource stripe_app.stripe"
    )
    (project / "reconcile.yaml").write_text(
        "targets:\n  production:\n    type: konnect\n    base_url: http://127.0.0.1:9/v3\n"
        "    konnect_token: ${env:KONNECT_TOKEN}\n    stripe_api_key: ${env:STRIPE_API_KEY}\n"
    )
    monkeypatch.delenv("KONNECT_TOKEN", raising=False)
    missing = plan(project, "--target", "production")
    assert missing.exit_code == 1
    assert "environment variable KONNECT_TOKEN is not set" in missing.output


def test_text_has_no_colour_when_not_a_terminal(project: Path) -> None:
    write_manifests(project, STRIPE_APP)
    result = plan(project)
    assert "\x1b[" not in result.output
