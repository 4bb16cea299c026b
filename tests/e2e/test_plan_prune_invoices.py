"""Prune safety: a profile or an app that invoices not yet final still use is not deleted;
the plan reads the invoices (only when it would delete) and names them."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_apply import link, paying_customer, plan_is_clean, profile, reconcile, state
from tests.e2e.worlds import STRIPE_APP, World, manifest, write_manifests

OTHER_APP = manifest("StripeApp", "other", {"name": "Other", "api_key": "${env:STRIPE_API_KEY}"})


def invoice(world: World, customer: str, profile: str, status: str, number: str) -> None:
    body = {"customer": customer, "profile": profile, "status": status, "number": number}
    world.admin("POST", "/konnect/invoices", body)


def applied(project: Path, world: World, *extra: dict[str, object]) -> str:
    """`main` (the default) with acme on it, plus `extra`, applied; acme's Stripe customer."""
    customer = paying_customer(world)
    write_manifests(
        project, STRIPE_APP, profile("main", default=True), link("acme", customer), *extra
    )
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 0, result.output
    return customer


def test_a_profile_with_invoices_in_flight_is_not_pruned(project: Path, world: World) -> None:
    customer = applied(project, world, profile("legacy"))
    invoice(world, "acme", "legacy", "issued", "INV-1")
    invoice(world, "acme", "legacy", "paid", "INV-2")
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("acme", customer))
    before = state(world)
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 1, result.output
    assert "# billing_profile.legacy is blocked" in result.stdout
    assert (
        "1 invoice(s) made from this profile are not final yet (INV-1 (issued, customer acme))"
    ) in result.stdout
    assert "INV-2" not in result.stdout  # paid: final
    assert "wait until they are paid, voided or marked uncollectible" in result.stdout
    assert state(world) == before


def test_a_profile_whose_invoices_are_final_is_pruned(project: Path, world: World) -> None:
    customer = applied(project, world, profile("legacy"))
    invoice(world, "acme", "legacy", "voided", "INV-1")
    invoice(world, "acme", "legacy", "draft", "INV-2")
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("acme", customer))
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    assert "billing_profile.legacy: Destruction complete after" in result.stdout
    assert plan_is_clean(project)


def test_an_app_with_invoices_in_flight_is_not_uninstalled(project: Path, world: World) -> None:
    customer = applied(project, world, OTHER_APP, profile("p2", app="other"))
    invoice(world, "acme", "p2", "overdue", "INV-7")
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("acme", customer))
    result = reconcile("plan", str(project), "--prune")
    assert result.exit_code == 1, result.output
    assert "# stripe_app.Other is blocked" in result.stdout
    assert (
        "Konnect refuses to uninstall an app that invoices not yet final use: 1 invoice(s) "
        "(INV-7 (overdue, customer acme))"
    ) in result.stdout
    assert "# billing_profile.p2 is blocked" in result.stdout


def test_a_plan_that_deletes_nothing_reads_no_invoices(served_project: Path, admin: object) -> None:
    write_manifests(served_project, STRIPE_APP, profile("main", default=True))
    assert reconcile("apply", str(served_project), "--auto-approve").exit_code == 0
    result = reconcile("--debug", "plan", str(served_project), "--prune")
    assert result.exit_code == 0, result.output
    assert "/openmeter/billing/invoices" not in result.stderr
    assert "/openmeter/profiles" in result.stderr  # the log does show the reads
