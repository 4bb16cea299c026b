"""`reconcile apply` through the CLI against the embedded sandbox, as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.engine.applying.lock import ApplyLock
from reconciler.targets import SANDBOX_STRIPE_KEY
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

SAAS = manifest(
    "TaxCode",
    "saas",
    {
        "key": "saas_general",
        "stripe_tax_code": "txcd_10103001",
        "organization_default_for": ["invoicing", "credit_grants"],
    },
)


def profile(name: str, *, default: bool = False, **spec: Any) -> dict[str, Any]:
    return manifest(
        "BillingProfile", name, {"default": default, "app": "stripe", "supplier": SUPPLIER, **spec}
    )


def link(name: str, stripe_customer: str, **spec: Any) -> dict[str, Any]:
    customer = {"key": name, "name": name.title()}
    return manifest(
        "CustomerBilling",
        name,
        {"customer": customer, "stripe": {"customer_id": stripe_customer}, **spec},
    )


def reconcile(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def plan_is_clean(project: Path) -> bool:
    result = reconcile("plan", str(project), "--detailed-exitcode")
    assert result.exit_code in (0, 2), result.output
    return result.exit_code == 0


def state(world: World) -> dict[str, Any]:
    """Every document the sandbox holds, to show that a refused apply wrote nothing."""
    # Both APIs provision an organization and an account on first use: do that first.
    world.konnect("GET", "/defaults/tax-codes")
    world.stripe("GET", "/account")
    names = [c["name"] for c in world.admin("GET", "/collections")["data"]]
    return {name: world.admin("GET", f"/collections/{name}") for name in names}


def paying_customer(world: World) -> str:
    customer = world.stripe_customer(**{"address[country]": "US"})
    world.card(customer)
    return customer


def test_apply_creates_everything_in_order_and_the_next_plan_is_empty(
    project: Path, world: World
) -> None:
    acme = paying_customer(world)
    write_manifests(
        project,
        STRIPE_APP,
        SAAS,
        profile("self-serve", default=True),
        profile("invoiced", workflow={"payment": {"collection_method": "send_invoice"}}),
        link("acme", acme),
        link("globex", acme, billing_profile="invoiced"),
    )
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Plan: 6 to add, 1 to change, 0 to destroy." in lines
    assert "stripe_app.stripe: Creating..." in lines
    done = [line for line in lines if "complete after" in line]
    assert len(done) == 7
    assert any(line.startswith("billing_profile.invoiced: Creation complete") for line in done)
    order = [line.split(":")[0] for line in done]
    assert order.index("stripe_app.stripe") < order.index("billing_profile.invoiced")
    assert order.index("billing_profile.invoiced") < order.index("customer_billing.globex")
    assert order.index("tax_code.saas") < order.index("tax_defaults.organization")
    assert lines[-1] == "Apply complete! Resources: 6 added, 1 changed, 0 destroyed."
    assert SANDBOX_STRIPE_KEY not in result.output
    assert plan_is_clean(project)


def test_a_link_that_follows_the_default_is_not_pinned(project: Path, world: World) -> None:
    acme = paying_customer(world)
    write_manifests(project, STRIPE_APP, profile("self-serve", default=True), link("acme", acme))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    customer = world.konnect("GET", "/customers?filter[key]=acme")["data"][0]
    stored = world.admin("GET", f"/collections/konnect.customers/{customer['id']}")
    assert stored.get("_pinned_profile_id") is None


def test_second_apply_has_nothing_to_do_and_writes_nothing(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    before = state(world)
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert state(world) == before


def test_apply_without_a_terminal_needs_auto_approve(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    before = state(world)
    result = reconcile("apply", str(project))
    assert result.exit_code == 1
    assert "pass --auto-approve" in result.output
    assert state(world) == before


@pytest.mark.parametrize(("answer", "applied"), [("yes", True), ("no", False), ("y", False)])
def test_only_yes_approves(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch, answer: str, applied: bool
) -> None:
    monkeypatch.setattr("reconciler.cli.commands.apply._interactive", lambda: True)
    write_manifests(project, STRIPE_APP)
    before = state(world)
    result = reconcile("apply", str(project), input=answer + "\n")
    assert "Only 'yes' will be accepted to approve." in result.stdout
    assert result.exit_code == (0 if applied else 1), result.output
    assert (state(world) != before) is applied


def test_default_profile_moves_without_ever_being_unset(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, profile("old", default=True), profile("new"))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    write_manifests(project, STRIPE_APP, profile("old"), profile("new", default=True))
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 0, result.output
    order = [line.split(":")[0] for line in result.stdout.splitlines() if "complete after" in line]
    assert order == ["billing_profile.new", "billing_profile.old"]
    defaults = [p["name"] for p in world.konnect("GET", "/profiles")["data"] if p["default"]]
    assert defaults == ["new"]
    assert plan_is_clean(project)


def test_prune_deletes_owned_profiles_only_with_the_flag(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, profile("main", default=True), profile("legacy"))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    write_manifests(project, STRIPE_APP, profile("main", default=True))
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    assert len(world.konnect("GET", "/profiles")["data"]) == 2
    result = reconcile("apply", str(project), "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    assert "billing_profile.legacy: Destruction complete after" in result.stdout
    assert "Resources: 0 added, 0 changed, 1 destroyed." in result.stdout
    assert [p["name"] for p in world.konnect("GET", "/profiles")["data"]] == ["main"]


def test_replacing_a_profile_creates_the_new_one_before_deleting_the_old(
    project: Path, world: World
) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "main", default=True, supplier=SUPPLIER)
    write_manifests(project, STRIPE_APP, profile("main", default=True))
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "billing_profile.main: Replacement complete after" in result.stdout
    [survivor] = world.konnect("GET", "/profiles")["data"]
    assert survivor["default"] is True
    assert plan_is_clean(project)


def test_replacing_a_profile_with_customers_is_refused(project: Path, world: World) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "main", default=True, supplier=SUPPLIER)
    acme = paying_customer(world)
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("acme", acme))
    result = reconcile("apply", str(project), "--auto-approve", "--skip-stripe-checks")
    assert result.exit_code == 1
    assert "billing_profile.main: blocked:" in result.stdout
    assert "customer_billing.acme: Skipped (billing_profile.main was not done: blocked)" in (
        result.stdout
    )
    assert len(world.konnect("GET", "/profiles")["data"]) == 1


def test_blocking_findings_refuse_before_any_write(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("ghost", "cus_Nope0"))
    before = state(world)
    result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 1
    assert "finding(s) block apply; nothing was written" in result.output
    assert "cus_Nope0 does not exist" in result.output
    assert state(world) == before


def test_a_failed_action_skips_its_dependants_and_the_rerun_converges(
    project: Path, world: World
) -> None:
    acme = paying_customer(world)
    squatter = world.customer("squatter", usage_attribution={"subject_keys": ["acme-prod"]})
    documents = [
        STRIPE_APP,
        profile("main", default=True),
        link("acme", acme, customer={"key": "acme", "name": "Acme", "subject_keys": ["acme-prod"]}),
        link("globex", acme),
    ]
    write_manifests(project, *documents)
    report = project.parent / "report.json"
    result = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert result.exit_code == 1
    assert "Error: customer_billing.acme: Creation failed after" in result.stdout
    assert "409" in result.stdout
    assert "Apply failed! Resources: 3 added, 0 changed, 0 destroyed; 1 failed." in result.stdout
    written = json.loads(report.read_text())["outcomes"]
    outcomes = {o["address"].partition(".")[2]: o["status"] for o in written}
    assert outcomes == {"stripe": "done", "main": "done", "acme": "failed", "globex": "done"}
    world.konnect("PUT", f"/customers/{squatter['id']}", {"name": "squatter"})
    rerun = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert rerun.exit_code == 0, rerun.output
    assert "Resources: 1 added, 0 changed, 0 destroyed." in rerun.stdout
    keys = [c["key"] for c in world.konnect("GET", "/customers")["data"]]
    assert sorted(keys) == ["acme", "globex", "squatter"]
    assert plan_is_clean(project)


def test_json_output_reports_each_action(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    result = reconcile("apply", str(project), "--auto-approve", "--output", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["succeeded"] is True
    assert data["summary"]["add"] == 2
    statuses = {
        (o["address"].partition(".")[0], o["action"], o["status"]) for o in data["outcomes"]
    }
    assert statuses == {
        ("stripe_app", "create", "done"),
        ("tax_code", "create", "done"),
        ("tax_defaults", "update", "done"),
    }
    assert all(o["resource_id"] for o in data["outcomes"])


def test_a_second_apply_to_the_same_target_is_refused(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    before = state(world)
    with ApplyLock(project, "reconcile apply (held by a test)", "sandbox"):
        result = reconcile("apply", str(project), "--auto-approve")
    assert result.exit_code == 1
    assert "reconcile apply (held by a test)" in result.output
    assert state(world) == before


def test_saved_plan_applies_exactly_and_only_once(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert "Apply complete! Resources: 2 added, 1 changed, 0 destroyed." in result.stdout
    again = reconcile("apply", str(planfile))
    assert again.exit_code == 1
    assert "stripe_app.stripe was created by someone else since the plan was made" in again.output
    assert plan_is_clean(project)


def test_saved_plan_is_refused_when_its_objects_changed(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    write_manifests(project, STRIPE_APP, {**SAAS, "spec": {**SAAS["spec"], "name": "SaaS"}})
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    [code] = world.konnect("GET", "/tax-codes")["data"][-1:]
    world.konnect(
        "PUT", f"/tax-codes/{code['id']}", {"name": "edited", "app_mappings": code["app_mappings"]}
    )
    before = state(world)
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 1
    assert "the saved plan is stale, so nothing was applied" in result.output
    assert "tax_code.saas was changed since the plan was made" in result.output
    assert state(world) == before


def test_saved_plan_is_refused_when_the_manifests_changed(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    write_manifests(project, STRIPE_APP, SAAS)
    before = state(world)
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 1
    assert "the manifests changed since the plan was made" in result.output
    assert state(world) == before


def test_a_saved_plan_is_applied_only_to_its_target_and_as_scoped(
    project: Path, world: World
) -> None:
    (project / "reconcile.yaml").write_text(
        "default_target: sandbox\n"
        "targets:\n  staging:\n    type: sandbox\n    url: http://127.0.0.1:9\n"
    )
    write_manifests(project, STRIPE_APP, SAAS)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    before = state(world)
    elsewhere = reconcile("apply", str(planfile), "--target", "staging")
    assert elsewhere.exit_code == 1
    assert (
        "Error: the plan was made against target 'sandbox', not 'staging'; plan against "
        "'staging' and apply that plan"
    ) in elsewhere.stderr
    for option in (["--prune"], ["-r", "stripe_app.stripe"]):
        rescoped = reconcile("apply", str(planfile), *option)
        assert rescoped.exit_code == 1
        assert "`apply PLANFILE` applies the plan as it was saved" in rescoped.stderr
    assert state(world) == before
    assert reconcile("apply", str(planfile), "--target", "sandbox").exit_code == 0


def test_a_planfile_into_a_missing_directory_is_a_clear_error(project: Path) -> None:
    write_manifests(project, STRIPE_APP)
    result = reconcile("plan", str(project), "-out", str(project.parent / "no" / "plan.out"))
    assert result.exit_code == 1
    assert "cannot write the planfile" in result.output
    assert "Traceback" not in result.output


def test_a_planfile_names_manifests_that_must_still_be_there(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    project.rename(project.parent / "moved")
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 1
    assert "run apply from where plan ran" in result.output


def test_a_report_is_written_when_there_is_nothing_to_do(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    report = project.parent / "report.json"
    result = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert result.exit_code == 0, result.output
    written = json.loads(report.read_text())
    assert (written["outcomes"], written["succeeded"], written["refused"]) == ([], True, None)
    printed = reconcile("apply", str(project), "--auto-approve", "--output", "json")
    assert json.loads(printed.stdout) == written


def refused_report(result: Result, report: Path) -> dict[str, Any]:
    """The report of a refused apply, as written and as printed by `--output json`."""
    assert result.exit_code == 1
    written: dict[str, Any] = json.loads(report.read_text())
    assert json.loads(result.stdout) == written
    assert written["outcomes"] == []
    assert written["succeeded"] is False
    assert result.stderr.startswith("Error: ")
    assert written["refused"] in result.stderr
    return written


def test_a_stale_planfile_is_refused_with_a_report(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    planfile = project.parent / "plan.out"
    assert reconcile("plan", str(project), "-out", str(planfile)).exit_code == 0
    write_manifests(project, STRIPE_APP, SAAS)
    report = project.parent / "report.json"
    result = reconcile("apply", str(planfile), "--report", str(report), "--output", "json")
    written = refused_report(result, report)
    assert "the manifests changed since the plan was made" in written["refused"]


def test_blocking_findings_are_refused_with_a_report(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("ghost", "cus_Nope0"))
    report = project.parent / "report.json"
    args = ("--auto-approve", "--report", str(report), "--output", "json")
    written = refused_report(reconcile("apply", str(project), *args), report)
    assert "finding(s) block apply; nothing was written" in written["refused"]
    assert "cus_Nope0 does not exist" in written["refused"]


def test_a_held_lock_is_refused_with_a_report(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    report = project.parent / "report.json"
    args = ("--auto-approve", "--report", str(report), "--output", "json")
    with ApplyLock(project, "reconcile apply (held by a test)", "sandbox"):
        written = refused_report(reconcile("apply", str(project), *args), report)
    assert "reconcile apply (held by a test)" in written["refused"]


def test_blocked_actions_are_outcomes_of_a_run_not_a_refusal(project: Path, world: World) -> None:
    other = world.stripe_app(name="Other")
    world.profile(other, "main", default=True, supplier=SUPPLIER)
    write_manifests(project, STRIPE_APP, profile("main", default=True), link("acme", "cus_A0"))
    report = project.parent / "report.json"
    args = ("--auto-approve", "--skip-stripe-checks", "--report", str(report))
    result = reconcile("apply", str(project), *args)
    assert result.exit_code == 1
    written = json.loads(report.read_text())
    assert written["refused"] is None
    statuses = {o["address"].partition(".")[2]: o["status"] for o in written["outcomes"]}
    assert statuses == {"stripe": "done", "main": "blocked", "acme": "skipped"}


def test_a_report_into_a_missing_directory_is_refused_before_any_write(
    project: Path, world: World
) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    before = state(world)
    report = project.parent / "no" / "report.json"
    result = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == f"Error: cannot write the report to {report}: no directory {report.parent}\n"
    )
    assert state(world) == before


def test_a_saved_plan_is_checked_within_the_scope_it_was_planned_with(
    project: Path, world: World
) -> None:
    ghost = link("ghost", "cus_Nope0")  # its Stripe customer does not exist: a blocking finding
    write_manifests(project, STRIPE_APP, SAAS, profile("main", default=True), ghost)
    assert reconcile("plan", str(project)).exit_code == 1
    planfile = project.parent / "plan.out"
    args = ("-r", "TaxCode/saas", "--output", "json", "-out", str(planfile))
    scoped = reconcile("plan", str(project), *args)
    assert scoped.exit_code == 0, scoped.output
    result = reconcile("apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert json.loads(scoped.stdout)["only"] == ["tax_code.saas"]
    assert "saas_general" in [c["key"] for c in world.konnect("GET", "/tax-codes")["data"]]
    assert world.konnect("GET", "/profiles")["data"] == []
    assert world.konnect("GET", "/customers")["data"] == []


ROTATED_KEY = "sk_test_" + "rotated" + "7" * 20


@pytest.mark.parametrize("installed", [False, True], ids=["install", "update"])
def test_a_saved_plan_is_refused_when_the_key_it_would_write_changed(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    if installed:
        write_manifests(project, STRIPE_APP)
        assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    described = {**STRIPE_APP, "spec": {**STRIPE_APP["spec"], "description": "Billing"}}
    write_manifests(project, described)
    planfile = project.parent / "plan.out"
    # Without Stripe checks, so that apply does not read Stripe's customers with the rotated key.
    saved = reconcile("plan", str(project), "--skip-stripe-checks", "-out", str(planfile))
    assert saved.exit_code == 0
    # The variable now names another key than the one planned (the sandbox's, when unset), a
    # key of the same account: apply reads that key's account even with the checks skipped.
    world.admin("POST", "/stripe/keys", {"key": ROTATED_KEY, "account": "acct_1SandboxTest0000"})
    monkeypatch.setenv("STRIPE_API_KEY", ROTATED_KEY)
    before = state(world)
    report = project.parent / "report.json"
    args = ("--report", str(report), "--output", "json")
    result = reconcile("apply", str(planfile), *args)
    written = refused_report(result, report)
    assert written["refused"].startswith("the saved plan is stale, so nothing was applied")
    assert (
        "stripe_app.stripe: its secret api_key changed since the plan was made (the environment "
        "holds another value than the one planned)"
    ) in written["refused"]
    assert state(world) == before
    for text in (result.output, report.read_text(), planfile.read_text()):
        assert ROTATED_KEY not in text and SANDBOX_STRIPE_KEY not in text
        assert ROTATED_KEY[-8:] not in text and SANDBOX_STRIPE_KEY[-8:] not in text
    monkeypatch.delenv("STRIPE_API_KEY")
    assert reconcile("apply", str(planfile)).exit_code == 0
    [app] = world.konnect("GET", "/apps")["data"]
    assert app["description"] == "Billing"
    assert app["masked_api_key"].endswith(SANDBOX_STRIPE_KEY[-4:])


def test_a_bad_resource_filter_is_refused_with_a_report(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    report = project.parent / "report.json"
    args = ("--auto-approve", "-r", "Nonsense", "--report", str(report), "--output", "json")
    result = reconcile("apply", str(project), *args)
    assert result.exit_code == 1
    written = json.loads(report.read_text())
    assert json.loads(result.stdout) == written
    assert (written["outcomes"], written["succeeded"], written["interrupted"]) == ([], False, False)
    assert "'Nonsense': expected KIND/NAME" in written["refused"]
    assert f"Error: {written['refused']}" in result.stderr


def test_ctrl_c_before_the_first_write_is_reported_as_interrupted(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as Ctrl-C does, in the main thread, while the plan reads

    monkeypatch.setattr("reconciler.engine.planning.planner.read_live_state", interrupted)
    write_manifests(project, STRIPE_APP, SAAS)
    before = state(world)
    report = project.parent / "report.json"
    args = ("--auto-approve", "--report", str(report), "--output", "json")
    result = reconcile("apply", str(project), *args)
    assert result.exit_code == 1
    written = json.loads(report.read_text())
    assert json.loads(result.stdout) == written
    assert (written["interrupted"], written["refused"], written["succeeded"]) == (True, None, False)
    assert written["outcomes"] == []
    assert (
        result.stderr == "Error: Apply interrupted before the first write: nothing was written.\n"
    )
    assert state(world) == before


def test_ctrl_c_at_the_prompt_is_reported_as_interrupted(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reconciler.cli.commands.apply._interactive", lambda: True)
    write_manifests(project, STRIPE_APP)
    before = state(world)
    report = project.parent / "report.json"
    # click's prompt ends the same way on Ctrl-C and at the end of its input: click.Abort.
    result = reconcile("apply", str(project), "--report", str(report), input="")
    assert "Only 'yes' will be accepted to approve." in result.stdout
    assert result.exit_code == 1
    written = json.loads(report.read_text())
    assert (written["interrupted"], written["refused"], written["outcomes"]) == (True, None, [])
    assert "Apply interrupted before the first write: nothing was written." in result.stderr
    assert state(world) == before


def test_a_fault_before_the_first_write_is_reported_as_a_refusal(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the planner broke")

    monkeypatch.setattr("reconciler.engine.planning.planner.read_live_state", broken)
    write_manifests(project, STRIPE_APP)
    report = project.parent / "report.json"
    result = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert isinstance(result.exception, RuntimeError)  # a fault keeps its traceback
    written = json.loads(report.read_text())
    assert written["refused"] == "unexpected error: RuntimeError: the planner broke"
    assert (written["interrupted"], written["outcomes"]) == (False, [])


def test_a_second_ctrl_c_while_writes_finish_is_still_reported(
    project: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: object, report: object) -> None:
        raise KeyboardInterrupt  # while the executor waits for the writes in flight

    monkeypatch.setattr("reconciler.views.apply.TextReporter.ended", interrupted)
    write_manifests(project, STRIPE_APP)
    report = project.parent / "report.json"
    result = reconcile("apply", str(project), "--auto-approve", "--report", str(report))
    assert result.exit_code == 1
    written = json.loads(report.read_text())
    assert (written["interrupted"], written["refused"], written["succeeded"]) == (True, None, False)
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    assert plan_is_clean(project)
