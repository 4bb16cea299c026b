"""A project that leaves the organization's default billing profile to someone else
(`default_profile: unmanaged` in reconcile.yaml): the plan never switches the default, and
the links that follow it say which profile that is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import (
    INVOICED,
    STRIPE_APP,
    SUPPLIER,
    World,
    manifest,
    profile_body,
    write_manifests,
)


@pytest.fixture
def unmanaged(project: Path) -> Path:
    project_file = project / "reconcile.yaml"
    project_file.write_text(project_file.read_text() + "default_profile: unmanaged\n")
    return project


def links(world: World) -> list[dict[str, Any]]:
    """`acme` follows the default; `globex` is pinned to the declared `invoiced`."""
    follower = world.stripe_customer()
    world.card(follower)
    invoiced = world.stripe_customer()
    return [
        manifest(
            "CustomerBilling",
            "acme",
            {"customer": {"key": "acme", "name": "Acme"}, "stripe": {"customer_id": follower}},
        ),
        manifest(
            "CustomerBilling",
            "globex",
            {
                "customer": {"key": "globex", "name": "Globex"},
                "billing_profile": "invoiced",
                "stripe": {"customer_id": invoiced},
            },
        ),
    ]


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, str(project)])


def test_the_plan_keeps_the_current_default_and_names_it(world: World, unmanaged: Path) -> None:
    app = world.stripe_app()
    legacy = world.profile(app, "legacy", default=True, labels={})
    write_manifests(unmanaged, STRIPE_APP, INVOICED, *links(world))
    result = run(unmanaged, "plan", "--output", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    [profile] = [a for a in plan["actions"] if a["address"] == "billing_profile.invoiced"]
    assert profile["type"] == "create"
    [default] = [c for c in profile["changes"] if c["path"] == "default"]
    assert default["after"] is False
    assert not any("default profile in place of" in r for r in profile["reasons"])
    assert "billing_profile.legacy" in plan["not_managed"]
    assert plan["findings"] == []
    [notice] = [n for n in plan["notices"] if n["address"] == "customer_billing.acme"]
    assert notice == {
        "address": "customer_billing.acme",
        "message": "follows the organization's default billing profile, legacy (not managed), "
        "which reconcile never switches (reconcile.yaml: default_profile: unmanaged)",
        "concerns": ["billing_profile.legacy"],
    }

    applied = run(unmanaged, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    profiles = {p["name"]: p for p in world.konnect("GET", "/profiles")["data"]}
    assert profiles["legacy"]["default"] is True
    assert profiles["invoiced"]["default"] is False
    assert profiles["legacy"]["id"] == legacy["id"]
    again = run(unmanaged, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert "acme: follows the organization's default billing profile, legacy" in again.stdout


def test_a_default_switched_by_someone_else_is_followed_not_undone(
    world: World, unmanaged: Path
) -> None:
    app = world.stripe_app()
    world.profile(app, "legacy", default=True, labels={})
    write_manifests(unmanaged, STRIPE_APP, INVOICED, *links(world))
    assert run(unmanaged, "apply", "--auto-approve").exit_code == 0
    invoiced = next(p for p in world.konnect("GET", "/profiles")["data"] if p["name"] == "invoiced")
    body = {**profile_body(INVOICED["spec"], "invoiced", None), "default": True}
    world.konnect("PUT", f"/profiles/{invoiced['id']}", body)
    result = run(unmanaged, "plan", "--output", "json")
    plan = json.loads(result.stdout)
    assert all(a["type"] == "no-op" for a in plan["actions"]), plan["actions"]
    acme = [n["message"] for n in plan["notices"] if n["address"] == "customer_billing.acme"]
    # The default moved to a send_invoice profile: acme's invoices are now emailed too.
    assert [m.split(",")[0] for m in acme] == [
        "follows the organization's default billing profile",
        "Stripe emails invoices to billing@example.com",
    ]
    assert acme[0].startswith(
        "follows the organization's default billing profile, invoiced, which reconcile never"
    )


def test_a_manifest_that_claims_the_default_is_refused(unmanaged: Path) -> None:
    claimed = manifest(
        "BillingProfile", "self-serve", {"app": "stripe", "supplier": SUPPLIER, "default": True}
    )
    write_manifests(unmanaged, STRIPE_APP, claimed)
    result = run(unmanaged, "validate")
    assert result.exit_code == 1
    assert (
        "BillingProfile/self-serve: reconcile.yaml leaves the default billing profile unmanaged "
        "(`default_profile: unmanaged`): no profile may set `default: true`"
    ) in result.stdout


def test_without_the_setting_a_default_is_still_required(project: Path) -> None:
    write_manifests(project, STRIPE_APP, INVOICED)
    result = run(project, "validate")
    assert result.exit_code == 1
    assert "no billing profile is marked `default: true`" in result.stdout
