"""The GitHub workflows and the composite action: linted, consistent, and the action's run step
driving the real CLI against the embedded sandbox."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.ci.reports import PlanCounts
from tests.conftest import SPECS_DIR, SPECS_VARIABLE, spec_missing

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEP_OUTPUT = re.compile(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")
# Distinctive values: if one shows anywhere in what a run prints or writes, a secret leaked.
FAKE_TOKEN = "kpat_" + "ciLeakCanary" * 3
FAKE_STRIPE_KEY = "sk_test_" + "ciLeakCanary" * 3


def tool(name: str) -> Path:
    """A binary the dev extra installs next to this interpreter."""
    found = Path(sys.executable).parent / name
    if not found.is_file():
        pytest.fail(f"{name} is missing: install the dev extra (pip install -e '.[dev]')")
    return found


def actionlint(*paths: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    command = [str(tool("actionlint")), "-shellcheck", str(tool("shellcheck")), "-oneline"]
    return subprocess.run(
        [*command, *map(str, paths)], cwd=cwd, capture_output=True, text=True, check=False
    )


def workflow(name: str) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as True; workflows are only ever read by key here.
    loaded: dict[str, Any] = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    return loaded


def local_action_steps() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, step)
        for path in WORKFLOWS
        for job in workflow(path.name)["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses") == "./"
    ]


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"test.yml", "plan.yml", "apply.yml", "drift.yml"}
    result = actionlint(*WORKFLOWS)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_zizmor_finds_nothing_in_the_workflows_and_the_action() -> None:
    command = [str(tool("zizmor")), "--offline", "--persona", "auditor", "--no-progress"]
    result = subprocess.run(
        [*command, ".github/workflows", "action.yml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_does_report_an_unpinned_action(tmp_path: Path) -> None:
    unpinned = tmp_path / "unpinned.yml"
    text = (REPO / ".github" / "workflows" / "drift.yml").read_text()
    unpinned.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v6", text))
    result = subprocess.run(
        [str(tool("zizmor")), "--offline", "--no-progress", str(unpinned)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout


def test_actionlint_does_report_a_broken_workflow(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    text = (REPO / ".github" / "workflows" / "plan.yml").read_text()
    broken.write_text(text.replace("pull-requests: write", "pull-requests: writ"))
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"broken\.yml:\d+:\d+: \"writ\" is invalid .*\[permissions\]", result.stdout)


def test_workflows_give_the_action_only_inputs_it_declares() -> None:
    declared = set(ACTION["inputs"])
    required = {name for name, spec in ACTION["inputs"].items() if spec.get("required")}
    steps = local_action_steps()
    assert {name for name, _ in steps} >= {"plan.yml", "apply-target.yml", "drift.yml"}
    for name, step in steps:
        given = set(step.get("with", {}))
        assert given <= declared, f"{name}: {step.get('name')}: unknown {given - declared}"
        assert required <= given, f"{name}: {step.get('name')}: missing {required - given}"


def test_workflows_read_only_outputs_the_action_declares() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        action_ids = {step.get("id") for name, step in local_action_steps() if name == path.name}
        for step_id, output in STEP_OUTPUT.findall(text):
            if step_id in action_ids:
                assert output in ACTION["outputs"], f"{path.name}: steps.{step_id}.{output}"


def test_action_outputs_are_written_by_its_run_step() -> None:
    script = run_step()["run"]
    counts = set(PlanCounts().outputs())
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        if name in counts:  # written by `reconciler.ci outputs`, tested with the plan below
            continue
        assert f'echo "{name}=' in script
    assert 'reconciler.ci outputs --report "$output_file" >> "$GITHUB_OUTPUT"' in script


def test_action_refers_only_to_declared_inputs() -> None:
    text = (REPO / "action.yml").read_text()
    assert set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text)) <= set(ACTION["inputs"])


def test_action_scripts_take_values_from_the_environment_only() -> None:
    # An expression spliced into a script is a shell injection; env passes values as data.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", "")


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    scripts = [step["run"] for step in ACTION["runs"]["steps"] if "run" in step]
    assert len(scripts) >= 3
    for index, script in enumerate(scripts):
        path = tmp_path / f"step{index}.sh"
        path.write_text(script)
        result = subprocess.run(
            [str(tool("shellcheck")), "--shell=bash", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout


def run_step() -> dict[str, Any]:
    (step,) = [step for step in ACTION["runs"]["steps"] if step.get("id") == "run"]
    found: dict[str, Any] = step
    return found


def run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The action's run step as a runner executes it, with the CLI installed in this venv."""
    declared = set(run_step()["env"])
    environment = {f"INPUT_{key.upper()}": value for key, value in inputs.items()}
    defaults = {"INPUT_TARGET": "", "INPUT_ARGS": "", "INPUT_OUTPUT_FILE": ""}
    environment = {**defaults, "INPUT_STEP_SUMMARY": "true", **environment}
    # The install step's virtual environment: here, the one running the tests.
    environment["RECONCILE_BIN"] = str(Path(sys.executable).parent)
    environment.setdefault("INPUT_FAIL_ON_ERROR", "true")
    assert set(environment) == declared
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    outputs = runner / "github_output"
    outputs.write_text("")
    script = runner / "run.sh"
    script.write_text(run_step()["run"])
    process = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path / "work",
        env={
            # reconcile is run by its path (RECONCILE_BIN), never looked up on PATH.
            "PATH": os.environ["PATH"],
            # The package under test, wherever the venv's own install points.
            "PYTHONPATH": str(REPO),
            "HOME": str(tmp_path),
            "RUNNER_TEMP": str(runner),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
            "KONNECT_TOKEN": FAKE_TOKEN,
            "STRIPE_API_KEY": FAKE_STRIPE_KEY,
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    return process, outputs


def read_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


@pytest.fixture
def work(tmp_path: Path) -> Path:
    # Never the sandbox world a local `make demo` left in examples/: each test starts afresh.
    manifests = tmp_path / "work" / "manifests"
    shutil.copytree(REPO / "examples", manifests, ignore=shutil.ignore_patterns(".reconcile"))
    return tmp_path / "work"


def test_validate_through_the_action(tmp_path: Path, work: Path) -> None:
    process, outputs = run_action(tmp_path, command="validate", directory="manifests")
    assert process.returncode == 0, process.stderr
    values = read_outputs(outputs)
    assert values["exit-code"] == "0"
    assert Path(values["output-file"]).read_text() == process.stdout
    assert "valid" in process.stdout


def test_plan_with_changes_succeeds_and_saves_markdown(tmp_path: Path, work: Path) -> None:
    planfile = work / "plan.out"
    process, outputs = run_action(
        tmp_path,
        command="plan",
        directory="manifests",
        target="sandbox",
        args=f"--output markdown\n-out {planfile} --skip-stripe-checks --detailed-exitcode",
        output_file=str(work / "reports" / "plan.md"),
    )
    assert process.returncode == 0, process.stderr
    values = read_outputs(outputs)
    assert values == {
        "exit-code": "2",
        "output-file": str(work / "reports" / "plan.md"),
        "stderr-file": str(work / "reports" / "plan.md.stderr"),
        "detailed-exitcode": "true",
        "has-changes": "true",
        "add": "12",
        "change": "2",
        "destroy": "0",
        "blocked": "0",
    }
    markdown = (work / "reports" / "plan.md").read_text()
    assert markdown.startswith("### reconcile plan")
    assert (tmp_path / "runner" / "summary.md").read_text() == markdown
    assert planfile.is_file()
    for written in (process.stdout, process.stderr, markdown, planfile.read_text()):
        assert FAKE_TOKEN not in written and FAKE_STRIPE_KEY not in written


def test_the_comment_is_told_whether_plan_ran_with_detailed_exitcode(
    tmp_path: Path, work: Path
) -> None:
    # Without the flag a plan with changes exits 0: the comment must not read it as none.
    process, outputs = run_action(
        tmp_path, command="plan", directory="manifests", args="--skip-stripe-checks"
    )
    assert process.returncode == 0, process.stderr
    assert "Plan: " in process.stdout
    values = read_outputs(outputs)
    assert (values["exit-code"], values["detailed-exitcode"]) == ("0", "false")
    (publishing,) = [s for s in ACTION["runs"]["steps"] if "pr-comment" in s.get("run", "")]
    assert publishing["env"]["EXIT_CODE"] == "${{ steps.run.outputs.exit-code }}"
    assert publishing["env"]["DETAILED_EXITCODE"] == "${{ steps.run.outputs.detailed-exitcode }}"


@pytest.mark.parametrize(("fail_on_error", "step_exit"), [("true", 1), ("false", 0)])
def test_blocked_plan_fails_the_step_unless_told_not_to(
    tmp_path: Path, work: Path, fail_on_error: str, step_exit: int
) -> None:
    # A Stripe customer the (seeded) sandbox does not have: a finding blocks the plan.
    link = work / "manifests" / "customers" / "enterprise.yaml"
    link.write_text(link.read_text().replace("cus_S5d6F7g8H9j0K1", "cus_Missing0000"))
    process, outputs = run_action(
        tmp_path,
        command="plan",
        directory="manifests",
        args="--output markdown --detailed-exitcode",
        fail_on_error=fail_on_error,
    )
    assert process.returncode == step_exit
    assert "::error::reconcile plan exited with 1" in process.stdout
    values = read_outputs(outputs)
    assert values["exit-code"] == "1"
    assert (values["has-changes"], values["blocked"]) == ("true", "1")
    assert "does not exist in the app's Stripe account" in Path(values["output-file"]).read_text()
    assert "Error: 1 finding(s) block apply" in Path(values["stderr-file"]).read_text()


def test_invalid_manifests_become_annotations(tmp_path: Path, work: Path) -> None:
    profile = work / "manifests" / "billing-profiles" / "enterprise.yaml"
    profile.write_text(profile.read_text().replace("P30D", "30 days"))
    process, outputs = run_action(
        tmp_path, command="validate", directory="manifests", fail_on_error="false"
    )
    assert process.returncode == 0, process.stderr
    assert read_outputs(outputs)["exit-code"] == "1"
    annotations = [line for line in process.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        "::error file=manifests/billing-profiles/enterprise.yaml,line="
    )
    assert "Error: 1 error in 1 file" in process.stderr


def test_the_install_step_refuses_a_version_that_is_not_one(tmp_path: Path) -> None:
    (step,) = [step for step in ACTION["runs"]["steps"] if step.get("id") == "install"]
    script = tmp_path / "install.sh"
    script.write_text(step["run"])
    for version in ("1.0 --index-url https://example.test", "main", "$(id)"):
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env={
                "PATH": os.environ["PATH"],
                "RUNNER_TEMP": str(tmp_path),
                "GITHUB_OUTPUT": str(tmp_path / "out"),
                "ACTION_PATH": str(REPO),
                "VERSION": version,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert process.returncode == 1
        assert "::error::version must be empty, latest, a version" in process.stdout
        assert not (tmp_path / "reconcile-venv").exists()


def test_apply_workflow_sequence_plan_apply_report_then_drift(tmp_path: Path, work: Path) -> None:
    """What apply.yml then drift.yml do, one action step each, against one sandbox world."""
    planfile, report = work / "plan.out", work / "apply-report.json"
    plan, plan_outputs = run_action(
        tmp_path,
        command="plan",
        directory="manifests",
        args=f"-out {planfile} --detailed-exitcode --skip-stripe-checks",
    )
    assert (plan.returncode, read_outputs(plan_outputs)["exit-code"]) == (0, "2")

    apply, apply_outputs = run_action(
        tmp_path,
        command="apply",
        directory=str(planfile),
        args=f"--report {report} --skip-stripe-checks",
        fail_on_error="false",
    )
    statuses = {outcome["status"] for outcome in json.loads(report.read_text())["outcomes"]}
    assert statuses == {"done"}
    assert (apply.returncode, read_outputs(apply_outputs)["exit-code"]) == (0, "0")

    # A change nobody applied: the manifest now says something the live profile does not.
    profile = work / "manifests" / "billing-profiles" / "enterprise.yaml"
    profile.write_text(profile.read_text().replace("payable within 30 days", "payable in 45"))
    drift, drift_outputs = run_action(
        tmp_path,
        command="drift",
        directory="manifests",
        args="--output markdown --skip-stripe-checks",
    )
    assert (drift.returncode, read_outputs(drift_outputs)["exit-code"]) == (0, "2")
    assert "payable in 45" in Path(read_outputs(drift_outputs)["output-file"]).read_text()
    for written in (plan.stdout, apply.stdout, drift.stdout, report.read_text()):
        assert FAKE_TOKEN not in written and FAKE_STRIPE_KEY not in written


def test_invalid_manifests_replace_the_plan_comment_and_fail_the_plan_job() -> None:
    steps = {step.get("name"): step for step in workflow("plan.yml")["jobs"]["plan"]["steps"]}
    validate, plan = steps["Validate"], steps["Plan"]
    # The same directory and target make the same comment marker: the errors take its place.
    assert validate["with"]["publish"] == plan["with"]["publish"] == "pr-comment"
    for name in ("directory", "target"):
        assert validate["with"][name] == plan["with"][name]
    assert validate["with"]["fail-on-error"] == "false"
    assert plan["if"] == "steps.validate.outputs.exit-code == '0'"
    [failing] = [step for name, step in steps.items() if name and name.startswith("Fail when")]
    assert "steps.validate.outputs.exit-code != '0'" in failing["if"]


def test_validate_takes_a_target_only_to_name_the_comment(tmp_path: Path, work: Path) -> None:
    process, outputs = run_action(
        tmp_path, command="validate", directory="manifests", target="production"
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert read_outputs(outputs)["exit-code"] == "0"


SHA_PINNED = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._/-]+@[0-9a-f]{40}$")
WRITE_SECRETS = ("secrets.KONNECT_TOKEN", "secrets.STRIPE_API_KEY")


def every_uses(data: Any) -> list[str]:
    if isinstance(data, dict):
        found = [data["uses"]] if isinstance(data.get("uses"), str) else []
        return found + [u for value in data.values() for u in every_uses(value)]
    if isinstance(data, list):
        return [u for item in data for u in every_uses(item)]
    return []


def test_every_action_is_pinned_by_commit_with_its_version_beside() -> None:
    files = [*WORKFLOWS, REPO / "action.yml"]
    for path in files:
        text = path.read_text()
        for uses in every_uses(yaml.safe_load(text)):
            if uses.startswith("./"):
                continue
            assert SHA_PINNED.match(uses), f"{path.name}: {uses} is not pinned by commit"
            # The version the commit is, for a reader and for update tools.
            assert re.search(rf"uses: {re.escape(uses)} # v\d+\.\d+\.\d+\n", text), uses


def test_apply_plans_then_applies_that_plan_behind_the_approval() -> None:
    caller = workflow("apply.yml")["jobs"]["target"]
    assert caller["uses"] == "./.github/workflows/apply-target.yml"
    assert caller["with"]["target"] == "${{ matrix.target }}"
    assert caller["strategy"]["matrix"]["target"] == "${{ fromJSON(vars.RECONCILE_TARGETS) }}"
    jobs = workflow("apply-target.yml")["jobs"]
    assert set(jobs) == {"plan", "apply"}
    plan, apply = jobs["plan"], jobs["apply"]
    assert apply["needs"] == "plan"
    assert apply["if"] == "needs.plan.outputs.has-changes == 'true'"
    # The approval (the environment's required reviewers) guards the apply job only; the plan
    # is made with the read-only environment, and published before anyone approves.
    assert apply["environment"] == "${{ inputs.target }}"
    assert plan["environment"] == "${{ inputs.target }}-plan"
    assert not any(secret in yaml.safe_dump(plan) for secret in WRITE_SECRETS)
    plan_steps = {step.get("name"): step for step in plan["steps"]}
    assert "-out ${{ runner.temp }}/plan.out" in plan_steps["Plan"]["with"]["args"]
    assert plan_steps["Plan"]["with"]["step-summary"] == "true"
    uploaded = plan_steps["Upload the planfile"]["with"]
    apply_steps = {step.get("name"): step for step in apply["steps"]}
    downloaded = apply_steps["Download the approved planfile"]["with"]
    assert downloaded["name"] == uploaded["name"]
    # Exactly the planfile the plan job made: its SHA-256 is checked before apply reads it.
    check = apply_steps["Check it is the planfile the plan job saved"]
    assert check["env"]["PLAN_SHA256"] == "${{ needs.plan.outputs.sha256 }}"
    assert "sha256sum --check" in check["run"]
    assert apply_steps["Apply"]["with"]["directory"] == f"{downloaded['path']}/plan.out"
    summary = apply_steps["Link the plan that was applied"]
    assert summary["env"]["ARTIFACT_URL"] == "${{ needs.plan.outputs.artifact-url }}"
    assert "$GITHUB_STEP_SUMMARY" in summary["run"]


def test_pull_requests_and_drift_never_see_write_credentials() -> None:
    for name in ("plan.yml", "drift.yml"):
        text = (REPO / ".github" / "workflows" / name).read_text()
        assert not any(secret in text for secret in WRITE_SECRETS), name
        (job,) = workflow(name)["jobs"].values()
        assert job["environment"] == "${{ matrix.target }}-plan"
        assert job["strategy"]["matrix"]["target"] == "${{ fromJSON(vars.RECONCILE_TARGETS) }}"


def test_apply_and_drift_of_one_target_share_one_concurrency_group() -> None:
    apply = workflow("apply-target.yml")["jobs"]["apply"]["concurrency"]
    drift = workflow("drift.yml")["jobs"]["drift"]["concurrency"]
    assert apply["group"].replace("inputs.target", "T") == drift["group"].replace(
        "matrix.target", "T"
    )
    # Never cancelled: a drift check queued behind an apply waits, and an apply is never cut.
    assert apply["cancel-in-progress"] is False and drift["cancel-in-progress"] is False


def test_docs_only_changes_plan_nothing() -> None:
    # PyYAML reads the key `on` as True.
    for name, event in (("plan.yml", "pull_request"), ("apply.yml", "push")):
        paths = workflow(name)[True][event]["paths"]
        assert paths == ["**.yaml", "**.yml"], name


def test_pull_requests_validate_every_target() -> None:
    steps = {step.get("name"): step for step in workflow("plan.yml")["jobs"]["plan"]["steps"]}
    assert steps["Validate"]["with"]["args"] == "--all-targets"


PINS = REPO / "tests" / "openapi-documents.sha256"


def pinned_documents() -> list[tuple[str, str, str]]:
    lines = [line.split() for line in PINS.read_text().splitlines() if not line.startswith("#")]
    return [(digest, name, url) for digest, name, url in lines]


def test_the_pins_name_each_document_by_commit() -> None:
    pins = pinned_documents()
    assert {name for _, name, _ in pins} == {"openmeter-v3-openapi.yaml", "stripe-spec3.yaml"}
    for digest, _, url in pins:
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert re.match(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/", url)


@pytest.mark.parametrize("pin", pinned_documents(), ids=lambda pin: pin[1])
def test_the_pinned_digests_are_those_of_the_documents_the_tests_read(
    pin: tuple[str, str, str],
) -> None:
    digest, name, _ = pin
    path = SPECS_DIR / name
    if not path.is_file():
        pytest.skip(spec_missing("pinned", path))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_ci_fetches_the_pinned_documents_and_points_the_tests_at_them() -> None:
    steps = {step.get("name"): step for step in workflow("test.yml")["jobs"]["test"]["steps"]}
    cache = steps["Cache the OpenAPI documents"]["with"]
    fetch = steps["Fetch the OpenAPI documents"]
    assert cache["key"] == "openapi-${{ hashFiles('tests/openapi-documents.sha256') }}"
    assert fetch["env"]["SPECS_DIR"] == cache["path"]
    assert "tests/openapi-documents.sha256" in fetch["run"]
    assert "sha256sum --check --strict" in fetch["run"]
    assert steps["make test"]["env"][SPECS_VARIABLE] == cache["path"]
