"""`apply PLANFILE` runs only what the manifests and live state produce, as the plan was made.

An edited planfile is named as such by its digest. One whose digest was computed again after
the edit (anyone can) is refused because apply plans again the way the saved plan was made
and compares the actions. The Stripe-checks mode is part of the saved plan.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from reconciler.core.actions import ActionType
from reconciler.core.fingerprint import digest_value
from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from reconciler.targets import SANDBOX_DB
from reconciler.views.plan import SKIPPED_CHECKS
from tests.e2e.test_apply import link, paying_customer, profile, reconcile, state
from tests.e2e.worlds import STRIPE_APP, World, declare_sandbox, write_manifests

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
    [action] = [a for a in body["plan"]["actions"] if a["address"].partition(".")[2] == name]
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
    legacy = {"address": "billing_profile.Legacy", "type": "delete"}
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
            lambda body: _action(body, "kept").update(address="billing_profile.x"),
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
    other = declare_sandbox(tmp_path / "other")
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
    # Where it writes first, then the warning.
    assert result.stdout.splitlines()[0].startswith("Target: sandbox (")
    assert SKIPPED_CHECKS + "\n" in result.stdout
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


# --- Property: any forged action is refused, the plan as saved applies ----------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = ["stripe.yaml", "tax-codes.yaml", "billing-profiles", "customers"]
ALWAYS = ("stripe", "self-serve")  # the app and the default profile
PINNED_TO_ENTERPRISE = "acme-corp"


def example_documents() -> dict[str, Body]:
    documents: dict[str, Body] = {}
    for name in EXAMPLE_FILES:
        for path in sorted((EXAMPLES / name).glob("*.yaml")) or [EXAMPLES / name]:
            for document in yaml.safe_load_all(path.read_text()):
                documents[document["metadata"]["name"]] = document
    return documents


EXAMPLE_DOCUMENTS = example_documents()


def _revised(document: Body) -> Body:
    """The document with one field another value than the example's: an update to plan."""
    revised = copy.deepcopy(document)
    spec = revised["spec"]
    if revised["kind"] == "CustomerBilling":
        spec["customer"]["description"] = "Revised account"
    else:
        spec["description"] = "Revised"
    return revised


@st.composite
def example_states(draw: st.DrawFn, keep: frozenset[str] = frozenset()) -> list[Body]:
    """Some of the examples, each as it is or revised; always the app and the default."""
    names = {n for n in EXAMPLE_DOCUMENTS if n in ALWAYS or n in keep or draw(st.booleans())}
    if PINNED_TO_ENTERPRISE in names:
        names.add("enterprise")
    chosen = [d for n, d in EXAMPLE_DOCUMENTS.items() if n in names]
    return [_revised(d) if draw(st.booleans()) else d for d in chosen]


@st.composite
def transitions(draw: st.DrawFn) -> tuple[list[Body], list[Body], bool]:
    """What is live (applied), what the manifests then say, and whether an owned profile in
    no manifest is live too (for --prune to delete). A profile a live link may be pinned to
    stays: deleting it would be blocked, and this property is about plans that apply."""
    live = draw(example_states())
    names = {d["metadata"]["name"] for d in live}
    return live, draw(example_states(keep=frozenset(names & {"enterprise"}))), draw(st.booleans())


ACTION_TYPES = [t.value for t in ActionType]


def tamper(body: Body, data: st.DataObject) -> str:
    """Change one saved action (its type, address or changes), add one or remove one."""
    actions: list[Body] = body["plan"]["actions"]
    action = actions[data.draw(st.integers(0, len(actions) - 1), label="action")]
    kind = data.draw(st.sampled_from(["type", "address", "changes", "added", "removed"]))
    if kind == "type":
        others = [t for t in ACTION_TYPES if t != action["type"]]
        action["type"] = data.draw(st.sampled_from(others), label="type")
    elif kind == "address":
        action["address"] += "-forged"
    elif kind == "changes":
        _tamper_changes(action["changes"], data)
    elif kind == "added":
        added = {**copy.deepcopy(action), "type": data.draw(st.sampled_from(ACTION_TYPES))}
        added["address"] += "-added"
        actions.append(added)
    else:
        actions.remove(action)
    return kind


def _tamper_changes(changes: list[Body], data: st.DataObject) -> None:
    forged = {"path": "description", "before": None, "after": "forged"}
    how = data.draw(st.sampled_from(["rewrite", "drop", "add"] if changes else ["add"]))
    if how == "rewrite":
        changes[0]["after"] = {"forged": changes[0]["after"]}
    elif how == "drop":
        changes.pop(0)
    else:
        changes.append({**forged, "sensitive": False, "forces_replacement": False})


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(states=transitions(), data=st.data())
def test_any_forged_action_is_refused_and_the_plan_as_saved_applies(
    states: tuple[list[Body], list[Body], bool],
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live, desired, legacy = states
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with tempfile.TemporaryDirectory() as temporary:
        project = Path(temporary) / "manifests"
        write_manifests(project, *live)
        for name in ("reconcile.yaml", "sandbox-seed.yaml"):
            shutil.copy(EXAMPLES / name, project / name)
        applied = reconcile("apply", str(project), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        app = create_app(SandboxConfig(db_path=project / SANDBOX_DB))
        with TestClient(app, base_url="http://sandbox.test") as client:
            world = World(client)
            if legacy:
                world.profile(_app(world), "Legacy")
            write_manifests(project, *desired)
            planfile = Path(temporary) / "plan.out"
            saved = reconcile("plan", str(project), "--prune", "-out", str(planfile))
            assert saved.exit_code in (0, 2), saved.output
            reviewed = planfile.read_text()
            before = state(world)
            forge(planfile, lambda body: tamper(body, data))
            forged = reconcile("apply", str(planfile))
            assert forged.exit_code == 1
            assert "so nothing was applied" in forged.stderr, forged.output
            assert state(world) == before
            planfile.write_text(reviewed)
            result = reconcile("apply", str(planfile))
            assert result.exit_code == 0, result.output
