"""Deletions through `reconcile apply --prune`: after what moves off the deleted object."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_apply import link, paying_customer, plan_is_clean, profile, reconcile
from tests.e2e.worlds import STRIPE_APP, World, manifest, write_manifests

LINKS = ("acme", "globex", "initech")
OTHER_APP = manifest("StripeApp", "other", {"name": "Other", "api_key": "${env:STRIPE_API_KEY}"})


def completed(output: str) -> list[str]:
    """The addresses of the actions done, in the order they completed."""
    return [line.split(":")[0] for line in output.splitlines() if "complete after" in line]


def started(output: str, address: str) -> int:
    lines = output.splitlines()
    return next(i for i, line in enumerate(lines) if line.startswith(f"{address}: "))


def finished(output: str, address: str) -> int:
    lines = output.splitlines()
    return next(
        i for i, line in enumerate(lines) if line.startswith(address) and "complete after" in line
    )


def test_a_pruned_profile_is_deleted_after_its_links_move_off_it(
    project: Path, world: World
) -> None:
    customer = paying_customer(world)
    links = [link(name, customer, billing_profile="legacy") for name in LINKS]
    write_manifests(project, STRIPE_APP, profile("main", default=True), profile("legacy"), *links)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    moved = [link(name, customer, billing_profile="main") for name in LINKS]
    write_manifests(project, STRIPE_APP, profile("main", default=True), *moved)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    output = result.stdout
    deleting = started(output, "billing_profile.legacy")
    assert output.splitlines()[deleting] == "billing_profile.legacy: Destroying..."
    for name in LINKS:
        assert finished(output, f"customer_billing.{name}") < deleting
    assert completed(output)[-1] == "billing_profile.legacy"
    assert "Resources: 0 added, 3 changed, 1 destroyed." in output
    assert [p["name"] for p in world.konnect("GET", "/profiles")["data"]] == ["main"]
    assert plan_is_clean(project)


@pytest.mark.parametrize("fate", ["replaced", "deleted"])
def test_a_pruned_app_is_deleted_after_its_profiles_leave_it(
    project: Path, world: World, fate: str
) -> None:
    main = profile("main", default=True)
    write_manifests(project, STRIPE_APP, OTHER_APP, main, profile("p2", app="other"))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    kept = [profile("p2")] if fate == "replaced" else []
    write_manifests(project, STRIPE_APP, main, *kept)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    output = result.stdout
    verb = "Replacement" if fate == "replaced" else "Destruction"
    assert f"billing_profile.p2: {verb} complete after" in output
    # A pruned object goes by its name in Konnect: it has no manifest any more.
    assert finished(output, "billing_profile.p2") < started(output, "stripe_app.Other")
    assert completed(output)[-1] == "stripe_app.Other"
    apps = [a["name"] for a in world.konnect("GET", "/apps")["data"]]
    assert apps == ["Stripe"]
    assert plan_is_clean(project)
