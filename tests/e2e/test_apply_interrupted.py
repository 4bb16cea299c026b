"""Apply stopped between the two writes of one create: a plain re-run must still converge.

The sandbox's route faults fail one chosen write for good, which leaves the world as a run
killed at that point would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, manifest, write_manifests

APP_LABELLING = "PUT /v3/openmeter/apps/{app_id}"
MAIN = manifest("BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER})
SAAS = manifest("TaxCode", "saas", {"key": "saas", "stripe_tax_code": "txcd_10103001"})


def reconcile(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [args[0], str(project), "--target", "local", *args[1:]])


def stripe_apps(admin: httpx.Client) -> list[dict[str, Any]]:
    apps: list[dict[str, Any]] = admin.get("/collections/konnect.apps").json()["data"]
    return [app for app in apps if app["type"] == "stripe"]


def planned(project: Path) -> dict[str, dict[str, Any]]:
    run = reconcile(project, "plan", "--output", "json")
    actions = json.loads(run.stdout)["actions"]
    blocked = any(a["type"] == "blocked" for a in actions)
    assert run.exit_code == 1 if blocked else run.exit_code == 0, run.output
    return {a["address"]: a for a in actions}


def app_left_unlabelled(project: Path, admin: httpx.Client) -> dict[str, Any]:
    """Apply with the app's labelling call refused: the app stays as install made it."""
    write_manifests(project, STRIPE_APP, SAAS)
    admin.patch("/faults", json={"route_faults": {APP_LABELLING: 403}}).raise_for_status()
    assert reconcile(project, "apply", "--auto-approve").exit_code == 1
    admin.put("/faults", json={}).raise_for_status()
    [app] = stripe_apps(admin)
    return app


def test_an_app_left_unlabelled_by_a_failed_create_is_taken_over_by_the_rerun(
    served_project: Path, admin: httpx.Client
) -> None:
    write_manifests(served_project, STRIPE_APP, SAAS, MAIN)
    admin.patch("/faults", json={"route_faults": {APP_LABELLING: 403}}).raise_for_status()
    first = reconcile(served_project, "apply", "--auto-approve")
    assert first.exit_code == 1
    assert "Error: stripe_app.stripe: Creation failed after" in first.stdout
    assert "billing_profile.main: Skipped (stripe_app.stripe was not done: failed)" in first.stdout
    [left] = stripe_apps(admin)
    assert "managed-by" not in (left.get("labels") or {})
    admin.put("/faults", json={}).raise_for_status()

    action = planned(served_project)["stripe_app.stripe"]
    assert action["type"] == "update"
    assert action["reasons"] == [
        "adopts an app left unlabelled by an interrupted create (same name and Stripe account, "
        "no labels, no description, no billing profile uses it): adds the label "
        "managed-by: reconcile"
    ]
    rerun = reconcile(served_project, "apply", "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    [app] = stripe_apps(admin)
    assert app["id"] == left["id"]
    assert app["labels"] == {"managed-by": "reconcile"}
    clean = reconcile(served_project, "plan", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output


def test_an_unlabelled_app_that_a_profile_uses_is_not_taken_over(
    served_project: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    app = app_left_unlabelled(served_project, admin)
    # Someone bills through it by hand: no longer what an interrupted create leaves.
    profile = {
        "name": "By hand",
        "supplier": SUPPLIER,
        "workflow": {},
        "default": False,
        "apps": {role: {"id": app["id"]} for role in ("tax", "invoicing", "payment")},
    }
    konnect_http.post("/profiles", json=profile).raise_for_status()
    action = planned(served_project)["stripe_app.stripe"]
    assert action["type"] == "blocked"
    assert "reconcile did not create" in action["reasons"][0]


def test_an_unlabelled_app_of_another_stripe_account_is_not_taken_over(
    served_project: Path, admin: httpx.Client
) -> None:
    app = app_left_unlabelled(served_project, admin)
    admin.patch(f"/collections/konnect.apps/{app['id']}", json={"account_id": "acct_Other0"})
    action = planned(served_project)["stripe_app.stripe"]
    assert action["type"] == "blocked"
