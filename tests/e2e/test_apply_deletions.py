"""Deletions through `reconcile apply --prune`: after what moves off the deleted object, and
refused at plan time while something that stays still uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_apply import link, paying_customer, plan_is_clean, profile, reconcile, state
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


@pytest.mark.parametrize("links", ["removed", "left on the default"])
def test_pruning_a_profile_customers_are_still_pinned_to_is_blocked(
    project: Path, world: World, links: str
) -> None:
    customer = paying_customer(world)
    pinned = [link(name, customer, billing_profile="legacy") for name in LINKS]
    write_manifests(project, STRIPE_APP, profile("main", default=True), profile("legacy"), *pinned)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    # v3 cannot unpin: a link left on the default keeps its customer where it is.
    kept = [link(name, customer) for name in LINKS] if links == "left on the default" else []
    write_manifests(project, STRIPE_APP, profile("main", default=True), *kept)
    before = state(world)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 1, result.output
    assert "# billing_profile.legacy is blocked" in result.stdout
    assert (
        "3 customer(s) are pinned to it and this plan does not move them off it "
        "(acme, globex, initech); Konnect refuses to delete a profile customers are pinned to"
    ) in result.stdout
    assert "Set their spec.billing_profile to another profile in the manifests" in result.stdout
    assert "Destroying" not in result.stdout
    assert state(world) == before


def test_pruning_an_app_a_kept_profile_invoices_through_is_blocked(
    project: Path, world: World
) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "theirs", labels={})  # not reconcile's: never pruned
    write_manifests(project, STRIPE_APP, profile("main", default=True))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    before = state(world)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 1, result.output
    assert "# stripe_app.Other is blocked" in result.stdout
    assert "1 billing profile(s) that this plan keeps invoice through it (theirs)" in (
        result.stdout
    )
    assert state(world) == before


def test_replacing_a_profile_customers_are_pinned_to_is_blocked(
    project: Path, world: World
) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "main", default=True)
    special = world.profile(other, "special")
    customer = world.customer("acme")
    world.link(customer, paying_customer(world), profile=special)
    write_manifests(
        project,
        STRIPE_APP,
        OTHER_APP,
        profile("main", default=True, app="other"),
        profile("special"),
    )
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "# billing_profile.special is blocked" in result.stdout
    assert "1 customer(s) are pinned to the old profile and this plan does not move them" in (
        result.stdout
    )
    profiles = [p["name"] for p in world.konnect("GET", "/profiles")["data"]]
    assert sorted(profiles) == ["main", "special"]


# The profiles applied first, the profiles that take over (the old default gone from the
# manifests), and whether links pinned to the old default move to the new one. Links that
# follow the default do not move: nothing else orders the deletion after the new default.
DEFAULT_HANDOVERS = {
    "a new profile": (
        [profile("old", default=True), profile("spare")],
        [profile("new", default=True), profile("spare")],
        False,
    ),
    "a new profile, links moving to it": (
        [profile("old", default=True)],
        [profile("new", default=True)],
        True,
    ),
    # `next` changes app as it becomes the default: created anew, so no link may use it.
    "a replaced profile": (
        [profile("old", default=True), profile("next", app="other")],
        [profile("next", default=True)],
        False,
    ),
}


@pytest.mark.parametrize("handover", DEFAULT_HANDOVERS)
def test_a_pruned_default_is_deleted_after_its_successor_becomes_the_default(
    project: Path, world: World, handover: str
) -> None:
    applied, taking_over, moving = DEFAULT_HANDOVERS[handover]
    new_default = taking_over[0]["metadata"]["name"]
    customer = paying_customer(world)
    pinned = [link(name, customer, billing_profile="old") for name in LINKS] if moving else []
    following = [link("hooli", customer)] if handover != "a replaced profile" else []
    write_manifests(project, STRIPE_APP, OTHER_APP, *applied, *pinned, *following)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    moved = [link(name, customer, billing_profile=new_default) for name in LINKS] if moving else []
    write_manifests(project, STRIPE_APP, OTHER_APP, *taking_over, *moved, *following)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    output = result.stdout
    deleting = started(output, "billing_profile.old")
    assert finished(output, f"billing_profile.{new_default}") < deleting
    for address in [f"customer_billing.{name}" for name in LINKS] if moving else []:
        assert finished(output, address) < deleting
    assert completed(output)[-1] == "billing_profile.old"
    profiles = {p["name"]: p["default"] for p in world.konnect("GET", "/profiles")["data"]}
    assert "old" not in profiles
    assert profiles[new_default] is True
    assert plan_is_clean(project)
