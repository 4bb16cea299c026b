"""`apply PLANFILE` runs only what the manifests and live state produce, as the plan was made.

An edited planfile is named as such by its digest. One whose digest was computed again after
the edit (anyone can) is refused because apply plans again the way the saved plan was made
and compares the actions. The Stripe-checks mode is part of the saved plan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.commands.plan import SKIPPED_CHECKS
from reconciler.engine.fingerprint import digest_value
from reconciler.sandbox import SandboxServer
from tests.e2e.test_apply import link, paying_customer, profile, reconcile, state
from tests.e2e.worlds import STRIPE_APP, World, write_manifests

KEPT = profile("kept", description="Invoiced monthly")
EDITED = profile("kept", description="Invoiced at month end")
MAIN = profile("main", default=True)

Body = dict[str, Any]


def forge(planfile: Path, edit: Callable[[Body], object]) -> None:
    """Edit the planfile and compute its digest again, as someone set on it would."""
    body = json.loads(planfile.read_text())
    del body["digest"]
    edit(body)
    planfile.write_text(json.dumps({**body, "digest": digest_value(body)}, indent=2))


def saved_update(project: Path, world: World) -> Path:
    """A planfile that updates `billing_profile.kept`, which the manifests keep."""
    write_manifests(project, STRIPE_APP, MAIN, KEPT)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    world.profile(_app(world), "Legacy")  # owned, in no manifest: kept without --prune
    write_manifests(project, STRIPE_APP, MAIN, EDITED)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    return planfile


def _app(world: World) -> dict[str, Any]:
    [app] = world.konnect("GET", "/apps")["data"]
    return dict(app)


def _action(body: Body, name: str) -> Body:
    """The saved action on `name`, itself: edits of it edit the body."""
    [action] = [a for a in body["plan"]["actions"] if a["address"]["name"] == name]
    assert isinstance(action, dict)
    return action


def _profile_names(world: World) -> list[str]:
    return sorted(p["name"] for p in world.konnect("GET", "/profiles")["data"])


def test_an_update_edited_into_a_delete_is_refused_and_the_profile_stays(
    project: Path, world: World
) -> None:
    planfile = saved_update(project, world)
    reviewed = planfile.read_text()
    planfile.write_text(reviewed.replace('"type": "update"', '"type": "delete"'))
    before = state(world)
    edited = reconcile("apply", str(planfile))
    assert edited.exit_code == 1
    assert f"{planfile}: the planfile was edited or damaged since `plan -out` wrote it" in (
        edited.stderr
    )
    planfile.write_text(reviewed)
    forge(planfile, lambda body: _action(body, "kept").update(type="delete"))
    forged = reconcile("apply", str(planfile))
    assert forged.exit_code == 1
    assert forged.stderr.startswith(
        "Error: the saved plan differs from what the manifests and live state produce now, so "
        "nothing was applied: billing_profile.kept: saved delete, now update\n"
    )
    assert "Traceback" not in forged.output
    assert state(world) == before
    planfile.write_text(reviewed)
    applied = reconcile("apply", str(planfile))
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in applied.stdout
    assert _profile_names(world) == ["Legacy", "kept", "main"]


def _add_delete_of_legacy(body: Body) -> None:
    legacy = {"address": {"type": "billing_profile", "name": "Legacy"}, "type": "delete"}
    body["plan"]["actions"].append(legacy)


def _remove_the_update(body: Body) -> None:
    body["plan"]["actions"].remove(_action(body, "kept"))


def _change_what_it_writes(body: Body) -> None:
    [change] = _action(body, "kept")["changes"]
    change["after"] = "Invoiced whenever"


@pytest.mark.parametrize(
    ("edit", "refusal"),
    [
        (_add_delete_of_legacy, "billing_profile.Legacy: saved delete, now not in the plan"),
        (_remove_the_update, "billing_profile.kept: not in the saved plan, now update"),
        (
            _change_what_it_writes,
            "billing_profile.kept: saved update with other field changes than now, at description",
        ),
        (
            lambda body: _action(body, "kept").update(
                address={"type": "billing_profile", "name": "x"}
            ),
            "billing_profile.x: saved update, now not in the plan",
        ),
    ],
    ids=["added", "removed", "changes", "address"],
)
def test_a_forged_action_is_refused_naming_the_first_difference(
    project: Path, world: World, edit: Callable[[Body], object], refusal: str
) -> None:
    planfile = saved_update(project, world)
    forge(planfile, edit)
    before = state(world)
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 1
    assert f"nothing was applied: {refusal}\n" in result.stderr
    assert state(world) == before


def test_a_forged_target_manifest_directory_or_plan_of_another_project_is_refused(
    project: Path, world: World, tmp_path: Path, sandbox_server: SandboxServer
) -> None:
    other = tmp_path / "other"
    write_manifests(other, STRIPE_APP, profile("elsewhere", default=True))
    other_plan = tmp_path / "other.out"
    assert reconcile("plan", str(other), "-out", str(other_plan)).exit_code == 0
    (project / "reconcile.yaml").write_text(
        "targets:\n"
        "  sandbox: {type: sandbox}\n"
        f"  staging: {{type: sandbox, url: '{sandbox_server.url}'}}\n"
        "default_target: sandbox\n"
    )
    planfile = saved_update(project, world)
    reviewed = planfile.read_text()
    swapped = json.loads(other_plan.read_text())["plan"]
    forgeries = {
        "the saved plan is stale, so nothing was applied:\n  - billing_profile.kept was "
        "deleted since the plan was made": lambda body: body.update(target="staging"),
        "the manifests changed since the plan was made": lambda body: body.update(
            manifest_dir=str(other)
        ),
        "the saved plan is stale, so nothing was applied:\n  - the manifests changed": (
            lambda body: body.update(plan=swapped)
        ),
    }
    before = state(world)
    for refusal, edit in forgeries.items():
        planfile.write_text(reviewed)
        forge(planfile, edit)
        result = reconcile("apply", str(planfile))
        assert result.exit_code == 1, refusal
        assert refusal in result.stderr
    assert state(world) == before
    assert reconcile("apply", str(other_plan)).exit_code == 0  # its own plan still applies


def test_a_plan_saved_without_stripe_checks_applies_without_them(
    project: Path, world: World
) -> None:
    # Its Stripe customer does not exist: with the checks, that blocks.
    write_manifests(project, STRIPE_APP, MAIN, link("ghost", "cus_Nope0"))
    assert reconcile("plan", str(project)).exit_code == 1
    planfile = project.parent / "plan.out"
    saved = reconcile("plan", str(project), "--skip-stripe-checks", "-out", str(planfile))
    assert saved.exit_code == 0, saved.output
    assert json.loads(planfile.read_text())["plan"]["stripe_checks"] is False
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(SKIPPED_CHECKS + "\n")
    assert [c["key"] for c in world.konnect("GET", "/customers")["data"]] == ["ghost"]


def test_a_plan_saved_with_stripe_checks_runs_them_again_and_cannot_skip_them(
    project: Path, world: World
) -> None:
    customer = paying_customer(world)
    write_manifests(project, STRIPE_APP, MAIN, link("acme", customer))
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    world.stripe("DELETE", f"/customers/{customer}")
    before = state(world)
    checked = reconcile("apply", str(planfile))
    assert checked.exit_code == 1
    assert "1 finding(s) block apply; nothing was written" in checked.stderr
    assert f"customer_billing.acme: Stripe customer {customer} was deleted" in checked.stderr
    skipping = reconcile("apply", str(planfile), "--skip-stripe-checks")
    assert skipping.exit_code == 1
    assert skipping.stderr == (
        "Error: the plan was saved with the Stripe checks, and `apply PLANFILE` runs them "
        "again: to skip them, give --skip-stripe-checks to `reconcile plan` and apply that "
        "plan\n"
    )
    assert state(world) == before
