"""`reconcile export`: live state to manifests that plan clean against the same state.

Worlds are built through the sandbox's APIs (and its admin bulk endpoint for size); the
export and the plans run through the CLI against the embedded sandbox.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.core.exporting import unique_names
from reconciler.engine.applying.lock import STATE_DIRECTORY
from reconciler.manifests import load_manifests
from reconciler.sandbox.ids import new_ulid
from reconciler.targets import SANDBOX_DB, SANDBOX_STRIPE_KEY
from tests.e2e.worlds import World

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ADOPT = "reconcile.konghq.dev/adopt"
CUSTOMERS = "konnect.customers"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with nothing but reconcile.yaml (and the sandbox's world)."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    directory = tmp_path / "project"
    (directory / SANDBOX_DB).parent.mkdir(parents=True)
    (directory / "reconcile.yaml").write_text("default_target: sandbox\n")
    return directory


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def export(project: Path, out: Path, *args: str) -> Result:
    result = run("export", project, out, *args)
    assert result.exit_code == 0, result.output
    return result


def documents(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted(out.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if "apiVersion" in document:  # not reconcile.yaml, nor a sandbox seed file
                found[(document["kind"], document["metadata"]["name"])] = document
    return found


def share_world(out: Path, origin: Path) -> None:
    """Let commands on the export `out` serve the sandbox world it was exported from: the
    embedded sandbox keeps its world in `.reconcile/`, which export never writes."""
    state = out / STATE_DIRECTORY
    if not state.exists():
        state.symlink_to(origin / STATE_DIRECTORY, target_is_directory=True)


def plan_json(out: Path, origin: Path) -> dict[str, Any]:
    share_world(out, origin)
    result = run("plan", out, "--output", "json", "--skip-stripe-checks")
    assert result.exit_code in (0, 2), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_plans_clean(out: Path, origin: Path) -> None:
    share_world(out, origin)
    result = run("plan", out, "--detailed-exitcode", "--skip-stripe-checks")
    assert result.exit_code == 0, result.output
    assert "No changes. Live state matches the manifests." in result.stdout


def test_applied_examples_export_under_their_names_and_plan_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples, ignore=shutil.ignore_patterns("invalid", ".reconcile"))
    # The examples' seed plants the Stripe customers they name, and initech as a customer
    # another system created: its link adopts it.
    applied = run("apply", examples, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    out = tmp_path / "exported"

    result = export(examples, out)

    declared = {(m.KIND, m.name) for m in load_manifests(examples)}
    exported = documents(out)
    assert set(exported) == declared
    assert "tax_code 'stripe_txcd_10000000': created by Konnect" in result.stdout
    assert exported[("StripeApp", "stripe")]["spec"]["api_key"] == "${env:STRIPE_API_KEY}"
    saas = exported[("TaxCode", "saas-general")]["spec"]
    assert saas["organization_default_for"] == ["invoicing", "credit_grants"]
    assert exported[("BillingProfile", "enterprise")]["spec"]["app"] == "stripe"
    assert exported[("CustomerBilling", "acme-corp")]["spec"]["billing_profile"] == "enterprise"
    assert "billing_profile" not in exported[("CustomerBilling", "globex")]["spec"]
    assert exported[("CustomerBilling", "hooli")]["spec"]["onboarding"] == "checkout"
    assert (
        (out / "reconcile.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=schemas/project.json")
    )
    assert_plans_clean(out, examples)
    with_checks = run("plan", out, "--detailed-exitcode")
    assert with_checks.exit_code == 0, with_checks.output


def test_files_carry_modelines_and_no_secret(project: Path, world: World) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    out = project.parent / "out"
    export(project, out)
    for path in out.glob("*.yaml"):
        text = path.read_text()
        assert "sk_test" not in text
        if path.name != "reconcile.yaml":
            schema = text.splitlines()[0].removeprefix("# yaml-language-server: $schema=")
            assert (out / schema).is_file()
    assert sorted(p.name for p in out.glob("*.yaml")) == [
        "billing-profile.yaml",
        "reconcile.yaml",
        "stripe-app.yaml",
    ]


def seed_customers(world: World, template: dict[str, Any], count: int, pin: str) -> None:
    """`count` copies of an API-made customer, stored in bulk: every third pinned to `pin`,
    every fifth without a Stripe customer yet, keys that are not valid manifest names."""
    stored = world.admin("GET", f"/collections/{CUSTOMERS}/{template['id']}")
    batch = []
    for number in range(count):
        customer = {**stored, "id": new_ulid(), "key": f"Org {number:03d} / EU"}
        customer["name"] = f"Org {number}"
        customer["_pinned_profile_id"] = pin if number % 3 == 0 else None
        if number % 5 == 0:
            customer["_app_data"] = None
        batch.append(customer)
    world.admin("POST", f"/collections/{CUSTOMERS}", {"documents": batch})


def test_a_generated_org_of_500_customers_round_trips(project: Path, world: World) -> None:
    app = world.stripe_app()
    saas = world.tax_code("saas_general", "SaaS")
    world.tax_defaults(invoicing=saas, credit_grants=saas)
    world.profile(app, "Self-serve", default=True)
    enterprise = world.profile(
        app, "Enterprise", workflow={"payment": {"collection_method": "send_invoice"}}
    )
    template = world.customer("template", primary_email="ap@example.com", currency="USD")
    world.link(template, world.stripe_customer(), profile=enterprise)
    seed_customers(world, template, 499, enterprise["id"])
    out = project.parent / "out"
    export(project, out)

    exported = documents(out)
    links = [d for (kind, _), d in exported.items() if kind == "CustomerBilling"]
    assert len(links) == 500
    org = exported[("CustomerBilling", "org-003-eu")]["spec"]
    assert org["customer"]["key"] == "Org 003 / EU"
    assert org["billing_profile"] == "enterprise"
    assert org["stripe"]["customer_id"].startswith("cus_")
    assert "billing_profile" not in exported[("CustomerBilling", "org-001-eu")]["spec"]
    assert exported[("CustomerBilling", "org-005-eu")]["spec"]["onboarding"] == "checkout"
    assert exported[("TaxCode", "saas-general")]["spec"]["organization_default_for"] == [
        "invoicing",
        "credit_grants",
    ]
    assert_plans_clean(out, project)


def test_values_equal_to_api_defaults_are_left_out(project: Path, world: World) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    world.profile(
        app,
        "Invoiced",
        workflow={
            "payment": {"collection_method": "send_invoice", "due_after": "P14D"},
            "invoicing": {"draft_period": "P1D", "auto_advance": True},
        },
    )
    out = project.parent / "out"
    export(project, out)
    exported = documents(out)
    main_spec = exported[("BillingProfile", "main")]["spec"]
    assert main_spec == {
        "name": "Main",
        "default": True,
        "app": "stripe",
        "supplier": {"name": "ACME Inc.", "addresses": {"billing_address": {"country": "US"}}},
    }
    assert exported[("BillingProfile", "invoiced")]["spec"]["workflow"] == {
        "invoicing": {"draft_period": "P1D"},
        "payment": {"collection_method": "send_invoice", "due_after": "P14D"},
    }
    assert_plans_clean(out, project)


def test_objects_reconcile_did_not_create_are_annotated_for_adoption(
    project: Path, world: World
) -> None:
    app = world.stripe_app(labels={})
    world.tax_code("legacy", "Legacy", labels={"team": "tax"})
    world.profile(app, "Main", default=True, labels={})
    customer = world.customer("acme", labels={})
    world.link(customer, world.stripe_customer())
    world.tax_code("both_apps", "Both", labels={})  # then given a second app mapping
    both = next(c for c in world.konnect("GET", "/tax-codes")["data"] if c["key"] == "both_apps")
    mappings = [*both["app_mappings"], {"app_type": "sandbox", "tax_code": "general"}]
    world.konnect("PUT", f"/tax-codes/{both['id']}", {"name": "Both", "app_mappings": mappings})
    out = project.parent / "out"

    result = export(project, out)

    exported = documents(out)
    for address in [("StripeApp", "stripe"), ("TaxCode", "legacy"), ("BillingProfile", "main")]:
        assert exported[address]["metadata"]["annotations"] == {ADOPT: "true"}
    assert exported[("TaxCode", "legacy")]["metadata"]["labels"] == {"team": "tax"}
    assert "annotations" not in exported[("CustomerBilling", "acme")]["metadata"]
    assert "annotated for adoption (3): StripeApp/stripe, TaxCode/legacy" in result.stdout
    assert "tax_code 'both_apps': maps to apps sandbox, stripe" in result.stdout
    assert ("TaxCode", "both-apps") not in exported
    data = plan_json(out, project)
    changed = {a["address"].partition(".")[2]: a for a in data["actions"] if a["type"] != "no-op"}
    assert set(changed) == {"stripe", "legacy", "main", "acme"}
    assert all(a["type"] == "update" for a in changed.values())
    assert all(
        [c["path"] for c in a["changes"]] in (["labels.managed-by"], ["customer.labels.managed-by"])
        for a in changed.values()
    )
    assert changed["main"]["reasons"] == [
        "adopts the existing object: adds the label managed-by: reconcile"
    ]
    assert changed["acme"]["reasons"] == [
        "adopts existing customer: adds the label managed-by: reconcile"
    ]
    assert data["summary"] == {"add": 0, "change": 4, "destroy": 0, "blocked": 0}


def test_kind_filter_exports_only_that_kind_with_references_by_name(
    project: Path, world: World
) -> None:
    app = world.stripe_app()
    world.profile(app, "Self-serve", default=True)
    enterprise = world.profile(app, "Enterprise")
    customer = world.customer("acme")
    world.link(customer, world.stripe_customer(), profile=enterprise)
    out = project.parent / "out"
    export(project, out, "--kind", "CustomerBilling")
    assert sorted(p.name for p in out.glob("*.yaml")) == ["customer-billing.yaml", "reconcile.yaml"]
    [link] = documents(out).values()
    assert link["spec"]["billing_profile"] == "enterprise"


def test_a_non_empty_output_directory_is_refused(project: Path, world: World) -> None:
    out = project.parent / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run("export", project, out)
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert (out / "notes.txt").read_text() == "mine"


def tree(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def exported_with_a_link(project: Path, world: World) -> tuple[Path, dict[str, Any]]:
    """A Stripe app, a default profile and one linked customer, exported to `out`; returns
    `out` and the customer."""
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    customer = world.customer("acme")
    world.link(customer, world.stripe_customer())
    out = project.parent / "out"
    export(project, out)
    return out, customer


def test_force_writes_what_a_fresh_export_would_and_keeps_other_files(
    project: Path, world: World
) -> None:
    out, customer = exported_with_a_link(project, world)
    assert (out / "customer-billing.yaml").is_file()
    assert stat.S_IMODE(out.stat().st_mode) == 0o700 & ~current_umask()
    out.chmod(0o750)
    (out / "notes.txt").write_text("mine")
    (out / "reconcile.yml").write_text("default_target: sandbox\n")  # export's name: replaced
    world.konnect("DELETE", f"/customers/{customer['id']}")

    result = export(project, out, "--force")
    fresh = project.parent / "fresh"
    export(project, fresh)
    assert tree(out) == tree(fresh) | {"notes.txt"}
    assert "customer-billing.yaml" not in tree(out)
    assert f"Removed {out.as_posix()}/customer-billing.yaml" in result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert_plans_clean(out, project)


def test_force_with_a_kind_removes_only_that_kinds_file(project: Path, world: World) -> None:
    out, customer = exported_with_a_link(project, world)
    world.konnect("DELETE", f"/customers/{customer['id']}")
    export(project, out, "--force", "--kind", "StripeApp", "--kind", "CustomerBilling")
    assert "customer-billing.yaml" not in tree(out)
    assert {"stripe-app.yaml", "billing-profile.yaml"} <= tree(out)


def test_names_are_valid_deterministic_and_collision_free() -> None:
    items = [
        ("1", "Acme"),
        ("2", "acme"),
        ("3", "acme-2"),
        ("4", "ÄÖ!!"),
        ("5", "x" * 70),
        ("6", "x" * 64),
        ("7", "Enterprise (EU)"),
    ]
    names = unique_names(items)
    assert names == {
        "2": "acme",
        "3": "acme-2",
        "1": "acme-3",
        "4": "unnamed",
        "6": "x" * 63,
        "5": "x" * 61 + "-2",
        "7": "enterprise-eu",
    }
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert unique_names(shuffled) == names


def test_an_organization_without_a_default_profile_exports_a_valid_project(
    project: Path, world: World
) -> None:
    # Installed by hand with the profile Konnect offers to create: with no default profile in
    # the organization, Konnect does not make it the default.
    world.konnect(
        "POST",
        "/app-catalog/install",
        {
            "type": "stripe",
            "name": "Stripe",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": True,
        },
    )
    [made] = world.konnect("GET", "/profiles")["data"]
    assert made["default"] is False
    out = project.parent / "out"

    result = export(project, out)

    assert (
        "Warning: no live billing profile is the default, and a project needs one: "
        "BillingProfile/stripe-billing-profile ('Stripe Billing Profile') is exported with "
        "`default: true`, so applying the export "
        "makes it the default (customers with no pinned profile are then billed through it); "
        "move `default: true` to another profile first if that one is meant\n"
    ) in result.stdout
    assert result.stdout.endswith(f"{out}: 2 documents in 2 files: valid\n")
    profile = documents(out)[("BillingProfile", "stripe-billing-profile")]
    assert profile["spec"]["default"] is True
    data = plan_json(out, project)
    [promoted] = [
        a for a in data["actions"] if a["address"].partition(".")[2] == "stripe-billing-profile"
    ]
    assert [(c["path"], c["before"], c["after"]) for c in promoted["changes"]] == [
        ("default", False, True),
        ("labels.managed-by", None, "reconcile"),
    ]


def test_a_default_profile_that_cannot_be_exported_passes_the_default_on(
    project: Path, world: World
) -> None:
    # Konnect organizations start out billing through the sandbox app's profile.
    body = {"type": "sandbox", "name": "Sandbox", "create_billing_profile": False}
    sandbox_app = world.konnect("POST", "/app-catalog/install", body)["app"]
    world.profile(sandbox_app, "Sandbox", default=True)
    world.profile(world.stripe_app(), "Self-serve")
    out = project.parent / "out"
    result = export(project, out)
    assert "billing_profile 'Sandbox': its tax, invoicing and payment apps are not one " in (
        result.stdout
    )
    assert (
        "Warning: the default billing profile 'Sandbox' is skipped, and a project needs one: "
        "BillingProfile/self-serve ('Self-serve') is exported with `default: true`"
    ) in result.stdout
    assert documents(out)[("BillingProfile", "self-serve")]["spec"]["default"] is True


def test_an_export_that_would_not_load_writes_nothing(project: Path, world: World) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    # Konnect takes any string as a primary email; a manifest takes only an address.
    world.customer("acme", primary_email="accounts payable")
    out = project.parent / "out"
    result = run("export", project, out)
    assert result.exit_code == 1, result.output
    assert f"{out}/customer-billing.yaml:" in result.output
    assert f"nothing was written to {out}" in result.output
    assert not out.exists()


def test_an_export_writes_no_sandbox_state_and_its_gitignore_ignores_it(
    project: Path, world: World
) -> None:
    world.profile(world.stripe_app(), "Main", default=True)
    # A seed someone keeps among the state is no reason to publish the state.
    (project / STATE_DIRECTORY / "seed.yaml").write_text("stripe: {customers: []}\n")
    (project / "reconcile.yaml").write_text(
        "default_target: sandbox\ntargets:\n  seeded:\n    type: sandbox\n"
        "    seed: .reconcile/seed.yaml\n"
    )
    out = project.parent / "out"
    export(project, out)
    assert (project / SANDBOX_DB).is_file()
    assert not (out / STATE_DIRECTORY).exists()
    assert {"billing-profile.yaml", "reconcile.yaml"} <= tree(out)
    assert (out / ".gitignore").read_text() == ".reconcile/\n"


def test_a_gitignore_in_out_dir_keeps_its_lines_and_mode_and_gains_the_state_line_once(
    project: Path, world: World
) -> None:
    world.profile(world.stripe_app(), "Main", default=True)
    out = project.parent / "out"
    out.mkdir()
    (out / ".gitignore").write_text("*.log")
    (out / ".gitignore").chmod(0o644)
    export(project, out, "--force")
    export(project, out, "--force")
    assert (out / ".gitignore").read_text() == "*.log\n.reconcile/\n"
    assert stat.S_IMODE((out / ".gitignore").stat().st_mode) == 0o644


@pytest.mark.usefixtures("umask_022")
def test_what_an_export_creates_is_private(project: Path, world: World) -> None:
    out, _ = exported_with_a_link(project, world)
    created = [out, *out.rglob("*")]
    assert {p.relative_to(out).as_posix() for p in created} >= {
        ".",
        ".gitignore",
        "customer-billing.yaml",
        "schemas",
        "schemas/manifest.json",
    }
    modes = {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in created}
    assert modes == {name: 0o700 if (out / name).is_dir() else 0o600 for name in modes}


def test_a_project_that_leaves_the_default_unmanaged_exports_no_default(
    project: Path, world: World
) -> None:
    project_file = project / "reconcile.yaml"
    project_file.write_text(project_file.read_text() + "default_profile: unmanaged\n")
    app = world.stripe_app()
    world.profile(app, "Main", default=True)
    world.profile(app, "Invoiced")
    out = project.parent / "out"
    export(project, out)
    exported = documents(out)
    assert "default" not in exported[("BillingProfile", "main")]["spec"]
    assert "default_profile: unmanaged" in (out / "reconcile.yaml").read_text()
    assert_plans_clean(out, project)
