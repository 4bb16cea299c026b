"""One repository, two environments: each target reads its own manifests with its own values,
runs in its Stripe mode and keeps its own sandbox world, driven through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxServer, create_app
from reconciler.sandbox.config import SandboxConfig
from reconciler.targets import sandbox_db
from tests.e2e.worlds import World
from tests.test_schemas import validator

LIVE_KEY = "sk_live_" + "0" * 24
TEST_KEY = "sk_test_" + "1" * 24

PROJECT = """\
targets:
  staging:
    type: sandbox
    manifests: [common/, staging/]
    stripe_mode: test
    vars: {GRACE: PT10M, TEAM: growth, AUTO_ADVANCE: false}
  production:
    type: sandbox
    manifests: [common/, production/]
    stripe_mode: test
    vars: {GRACE: PT1H, TEAM: platform, AUTO_ADVANCE: true}
"""
PROFILE = """\
apiVersion: reconcile.konghq.dev/v1
kind: BillingProfile
metadata:
  name: main
spec:
  name: Main
  description: "Run by ${var:TEAM}"
  default: true
  app: stripe
  supplier: {name: ACME Inc., addresses: {billing_address: {country: US}}}
  workflow:
    collection:
      interval: ${var:GRACE}
    invoicing:
      auto_advance: ${var:AUTO_ADVANCE}
"""


def stripe_app(name: str, livemode: str = "false") -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: reconcile.konghq.dev/v1
        kind: StripeApp
        metadata:
          name: stripe
        spec:
          name: {name}
          api_key: ${{env:STRIPE_API_KEY}}
          livemode: {livemode}
        """
    )


def reconcile(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory


@pytest.fixture
def environments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Staging and production, each an embedded sandbox; commands run in the project."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    project = write(
        tmp_path / "billing",
        {
            "reconcile.yaml": PROJECT,
            "common/profile.yaml": PROFILE,
            "staging/stripe.yaml": stripe_app("Stripe staging"),
            "production/stripe.yaml": stripe_app("Stripe production"),
        },
    )
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def served(environments: Path, sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    """Staging served by the running sandbox, so that what reaches it can be counted."""
    project = environments / "reconcile.yaml"
    project.write_text(
        project.read_text().replace(
            "  staging:\n    type: sandbox\n",
            f"  staging:\n    type: sandbox\n    url: {sandbox_server.url}\n",
        )
    )
    with httpx.Client(base_url=sandbox_server.url + "/_sandbox") as admin:
        yield admin


def world_of(project: Path, target: str) -> Iterator[World]:
    app = create_app(SandboxConfig(db_path=project / sandbox_db(target)))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield World(client)


def profiles(project: Path, target: str) -> list[dict[str, Any]]:
    for world in world_of(project, target):
        found: list[dict[str, Any]] = world.konnect("GET", "/profiles")["data"]
        return found
    raise AssertionError("unreachable")


def test_applying_staging_leaves_productions_world_untouched(environments: Path) -> None:
    assert reconcile("plan", environments, "--target", "production").exit_code == 0
    applied = reconcile("apply", environments, "--target", "staging", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.startswith("Target: staging (embedded sandbox, Stripe test mode)")
    assert [p["name"] for p in profiles(environments, "staging")] == ["Main"]
    assert profiles(environments, "production") == []
    again = reconcile("plan", environments, "--target", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    production = reconcile("plan", environments, "--target", "production", "-o", "json")
    assert production.exit_code == 0, production.output
    plan = json.loads(production.stdout)
    assert plan["target"] == "production"
    assert plan["summary"]["add"] == 2


def test_each_targets_vars_reach_the_request_body_with_their_types(environments: Path) -> None:
    for target in ("staging", "production"):
        result = reconcile("apply", environments, "--target", target, "--auto-approve")
        assert result.exit_code == 0, result.output
    (staging,) = profiles(environments, "staging")
    (production,) = profiles(environments, "production")
    assert staging["description"] == "Run by growth"
    assert staging["workflow"]["collection"]["interval"] == "PT10M"
    assert staging["workflow"]["invoicing"]["auto_advance"] is False
    assert production["description"] == "Run by platform"
    assert production["workflow"]["collection"]["interval"] == "PT1H"
    assert production["workflow"]["invoicing"]["auto_advance"] is True


def requests_sent(admin: httpx.Client) -> int:
    total: int = admin.get("/stats").json()["total"]
    return total


def test_an_undefined_var_is_a_positioned_error_naming_the_target(
    environments: Path, served: httpx.Client
) -> None:
    project = environments / "reconcile.yaml"
    project.write_text(project.read_text().replace("TEAM: growth, ", ""))
    result = reconcile("plan", environments, "--target", "staging")
    assert result.exit_code == 1
    assert (
        "common/profile.yaml:7:24: BillingProfile/main: ${var:TEAM} is not defined for target "
        "'staging': add TEAM under targets.staging.vars in reconcile.yaml"
    ) in result.output
    assert requests_sent(served) == 0
    assert reconcile("plan", environments, "--target", "production").exit_code == 0


def test_a_value_that_does_not_fit_its_field_is_told_at_the_reference(environments: Path) -> None:
    project = environments / "reconcile.yaml"
    project.write_text(project.read_text().replace("GRACE: PT1H", "GRACE: an hour"))
    result = reconcile("validate", environments, "--target", "production")
    assert result.exit_code == 1
    assert (
        "common/profile.yaml:13:17: BillingProfile/main: spec.workflow.collection.interval: "
        "must be an ISO-8601 duration"
    ) in result.output
    assert "(the value of ${var:GRACE} of target 'production')" in result.output


def test_a_key_of_the_wrong_mode_is_an_error_before_any_request(
    environments: Path, served: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = environments / "reconcile.yaml"
    monkeypatch.setenv("STRIPE_API_KEY", LIVE_KEY)
    result = reconcile("plan", environments, "--target", "staging")
    assert result.exit_code == 1
    assert (
        "staging/stripe.yaml:7:12: StripeApp/stripe: STRIPE_API_KEY holds a live-mode key, but "
        "target 'staging' runs in Stripe test mode (its stripe_mode in reconcile.yaml)"
    ) in result.output
    assert LIVE_KEY not in result.output
    # The reverse: a live target given the sandbox's built-in test key.
    monkeypatch.delenv("STRIPE_API_KEY")
    project.write_text(project.read_text().replace("stripe_mode: test", "stripe_mode: live", 1))
    (environments / "staging" / "stripe.yaml").write_text(stripe_app("Stripe staging", "true"))
    result = reconcile("apply", environments, "--target", "staging", "--auto-approve")
    assert result.exit_code == 1
    assert (
        "staging/stripe.yaml:7:12: StripeApp/stripe: STRIPE_API_KEY is not set, and the "
        "sandbox's built-in test-mode key stands in for it, but target 'staging' runs in "
        "Stripe live mode"
    ) in result.output
    assert requests_sent(served) == 0
    # Refused before apply takes staging's lock: nothing was made on disk.
    assert not (environments / ".reconcile").exists()


def konnect_project(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox_server: SandboxServer,
    target: str,
    key_field: str,
    stripe_mode: str,
) -> Path:
    """`billing/`, run from its parent: one Konnect target on the sandbox whose Stripe key
    `key_field` reads the environment variable of that name in upper case, and a tax code."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KONNECT_TOKEN", "sandbox-konnect-token")
    return write(
        tmp_path / "billing",
        {
            "reconcile.yaml": (
                f"targets:\n  {target}:\n    type: konnect\n"
                f"    base_url: {sandbox_server.url}/v3\n"
                "    konnect_token: ${env:KONNECT_TOKEN}\n"
                f"    {key_field}: ${{env:{key_field.upper()}}}\n"
                f"    stripe_mode: {stripe_mode}\n"
            ),
            "tax.yaml": (
                "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: saas}\n"
                "spec: {key: saas, name: SaaS, stripe_tax_code: txcd_10103001}\n"
            ),
        },
    )


def test_a_konnect_targets_own_key_of_the_wrong_mode_is_told_in_reconcile_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_server: SandboxServer
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    project = konnect_project(
        tmp_path, monkeypatch, sandbox_server, "production", "stripe_api_key", "live"
    )
    result = reconcile("plan", project)
    assert result.exit_code == 1
    assert (
        "billing/reconcile.yaml:6:21: Project/reconcile.yaml: STRIPE_API_KEY holds a test-mode "
        "key, but target 'production' runs in Stripe live mode"
    ) in result.output
    with httpx.Client(base_url=sandbox_server.url + "/_sandbox") as admin:
        assert requests_sent(admin) == 0


def test_a_read_key_of_the_wrong_mode_is_told_in_reconcile_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_server: SandboxServer
) -> None:
    read_key = "rk_live_" + "2" * 24
    monkeypatch.setenv("STRIPE_READ_KEY", read_key)
    project = konnect_project(
        tmp_path, monkeypatch, sandbox_server, "staging", "stripe_read_key", "test"
    )
    result = reconcile("plan", project)
    assert result.exit_code == 1
    assert (
        "billing/reconcile.yaml:6:22: Project/reconcile.yaml: STRIPE_READ_KEY holds a live-mode "
        "key, but target 'staging' runs in Stripe test mode"
    ) in result.output
    assert read_key not in result.output
    with httpx.Client(base_url=sandbox_server.url + "/_sandbox") as admin:
        assert requests_sent(admin) == 0


def test_a_stripe_app_whose_livemode_disagrees_with_its_target_is_refused(
    environments: Path, served: httpx.Client
) -> None:
    (environments / "staging" / "stripe.yaml").write_text(stripe_app("Stripe staging", "true"))
    result = reconcile("apply", environments, "--target", "staging", "--auto-approve")
    assert result.exit_code == 1
    assert (
        "staging/stripe.yaml:8:13: StripeApp/stripe: spec.livemode is true, but target "
        "'staging' runs in Stripe test mode"
    ) in result.output
    assert requests_sent(served) == 0


def test_all_targets_reports_each_problem_with_its_target(environments: Path) -> None:
    (environments / "production" / "stripe.yaml").write_text(stripe_app("Stripe", "true"))
    project = environments / "reconcile.yaml"
    project.write_text(project.read_text().replace("GRACE: PT10M, ", ""))
    result = reconcile("validate", environments, "--all-targets")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("common/profile.yaml:13:17: BillingProfile/main: ${var:GRACE}")
        and line.endswith("(target staging)")
        for line in lines
    ), lines
    assert any(
        line.startswith("production/stripe.yaml:8:13: StripeApp/stripe: spec.livemode is true")
        and line.endswith("(target production)")
        for line in lines
    ), lines
    assert "target staging: 1 error in 1 file; target production: 1 error in 1 file" in (
        result.stderr
    )
    as_json = reconcile("validate", environments, "--all-targets", "-o", "json")
    document = json.loads(as_json.stdout)
    assert document["valid"] is False
    assert [(e["target"], e["code"]) for e in document["errors"]] == [
        ("staging", "undefined-var"),
        ("production", "stripe-mode"),
    ]
    assert [(t["target"], t["valid"]) for t in document["targets"]] == [
        ("staging", False),
        ("production", False),
    ]
    schema = validator("validate-output.json")
    assert [error.message for error in schema.iter_errors(document)] == []
    assert document["target"] is None
    assert document["summary"]["errors"] == sum(t["summary"]["errors"] for t in document["targets"])
    assert document["summary"]["errors_by_code"] == {"stripe-mode": 1, "undefined-var": 1}


def test_without_a_default_target_validate_checks_every_target_and_plan_asks_for_one(
    environments: Path,
) -> None:
    result = reconcile("validate", environments)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "target staging: 2 documents in 2 files: valid",
        "target production: 2 documents in 2 files: valid",
    ]
    plan = reconcile("plan", environments)
    assert plan.exit_code == 1
    assert "choose one with --target" in plan.output


def test_a_world_shared_by_every_sandbox_target_moves_to_the_first_that_runs(
    environments: Path,
) -> None:
    applied = reconcile("apply", environments, "--target", "staging", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    state = environments / ".reconcile"
    (state / "staging" / "sandbox.db").rename(state / "sandbox.db")
    result = reconcile("plan", environments, "--target", "production", "--detailed-exitcode")
    assert "Note: the sandbox world at .reconcile/sandbox.db, once shared by every sandbox " in (
        result.stdout
    )
    # Production has staging's old world now: its own app differs only by name.
    assert result.exit_code == 2, result.output
    assert not (state / "sandbox.db").exists()
    assert (state / "production" / "sandbox.db").is_file()


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "environments"


def test_the_environments_example_plans_and_applies_for_both_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    example = tmp_path / "environments"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".reconcile"))
    for target in ("staging", "production"):
        planned = reconcile("plan", example, "--target", target, "--detailed-exitcode")
        assert planned.exit_code == 2, planned.output
        assert planned.stdout.startswith(f"Target: {target} (embedded sandbox, Stripe test mode)")
        applied = reconcile("apply", example, "--target", target, "--auto-approve")
        assert applied.exit_code == 0, applied.output
    for target in ("staging", "production"):
        again = reconcile("plan", example, "--target", target, "--detailed-exitcode")
        assert again.exit_code == 0, again.output


def old_organization(directory: Path, description: str, *extra: str) -> Path:
    """A project of its own, as a team with one directory per organization has today,
    applied to its sandbox world."""
    app = stripe_app("Stripe").replace("  livemode: false\n", f"  description: {description}\n")
    profile = PROFILE.replace('"Run by ${var:TEAM}"', "Main profile")
    profile = profile.replace("${var:GRACE}", "PT2H").replace("${var:AUTO_ADVANCE}", "false")
    tax = (
        "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: saas}\n"
        "spec: {key: saas, name: SaaS, stripe_tax_code: txcd_10103001}\n"
    )
    files = {
        "reconcile.yaml": "default_target: sandbox\n",
        "app.yaml": app,
        "profile.yaml": profile,
    }
    files["tax.yaml"] = "---\n".join([tax, *extra])
    write(directory, files)
    applied = reconcile("apply", directory, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return directory


def adopt_world(old: Path, repository: Path, target: str) -> None:
    """The organization becomes the repository's target: here, its sandbox world moves."""
    (repository / sandbox_db(target)).parent.mkdir(parents=True)
    for part in (old / sandbox_db("sandbox")).parent.glob("sandbox.db*"):
        shutil.copy(part, repository / sandbox_db(target).parent / part.name)


@pytest.fixture
def two_organizations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Staging and production, each applied from a directory of its own, and a repository
    whose reconcile.yaml makes them its two targets (and holds nothing else yet)."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    beta = (
        "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: beta}\n"
        "spec: {key: beta, name: Beta, stripe_tax_code: txcd_10103000}\n"
    )
    staging = old_organization(tmp_path / "old-staging", "Test account", beta)
    production = old_organization(tmp_path / "old-production", "Live account")
    repository = write(
        tmp_path / "repository",
        {"reconcile.yaml": PROJECT.replace("    vars:", "    # vars:")},
    )
    # common/, staging/ and production/ do not exist yet: the export makes them.
    adopt_world(staging, repository, "staging")
    adopt_world(production, repository, "production")
    monkeypatch.chdir(repository)
    return repository


def test_two_organizations_export_into_one_layout_that_plans_clean(two_organizations: Path) -> None:
    result = reconcile("export", "--layout", "environments")
    assert result.exit_code == 0, result.output
    repository = two_organizations
    layout = {
        path.relative_to(repository).as_posix()
        for path in repository.rglob("*.yaml")
        if "schemas" not in path.parts and ".reconcile" not in path.parts
    }
    assert layout == {
        "reconcile.yaml",
        "common/billing-profile.yaml",
        "common/tax-code.yaml",
        "staging/stripe-app.yaml",
        "staging/tax-code.yaml",
        "production/stripe-app.yaml",
    }
    assert "Differ between targets, so kept in each target's directory: StripeApp/stripe" in (
        result.stdout
    )
    assert "name: beta" in (repository / "staging" / "tax-code.yaml").read_text()
    assert "name: beta" not in (repository / "common" / "tax-code.yaml").read_text()
    assert (
        "$schema=../schemas/stripe-app.json"
        in (repository / "production" / "stripe-app.yaml").read_text()
    )
    assert (repository / "reconcile.yaml").read_text() == PROJECT.replace(
        "    vars:", "    # vars:"
    )
    for target in ("staging", "production"):
        planned = reconcile("plan", "--target", target, "--detailed-exitcode")
        assert planned.exit_code == 0, planned.output
        assert "No changes." in planned.stdout


def test_export_of_one_target_writes_into_its_directory(two_organizations: Path) -> None:
    result = reconcile("export", ".", "--target", "production", "-o", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["shared"] is None
    assert [t["target"] for t in document["targets"]] == ["production"]
    assert sorted(f["path"] for f in document["files"]) == [
        "production/billing-profile.yaml",
        "production/stripe-app.yaml",
        "production/tax-code.yaml",
    ]
    planned = reconcile("plan", "--target", "production", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    again = reconcile("export", "--target", "production")
    assert again.exit_code == 1
    assert "production is not empty; pass --force" in again.output
    forced = reconcile("export", "--target", "production", "--force")
    assert forced.exit_code == 0, forced.output


def test_export_needs_somewhere_to_write(two_organizations: Path) -> None:
    result = reconcile("export")
    assert result.exit_code == 1
    assert "give OUT_DIR, or --target T" in result.output
    project = two_organizations / "reconcile.yaml"
    project.write_text(project.read_text().replace("[common/, production/]", "[production/]"))
    result = reconcile("export", "--layout", "environments")
    assert result.exit_code == 1
    assert "list no directory in common" in result.output


HOLD_LOCK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from reconciler.engine.applying.lock import ApplyLock

    ApplyLock(Path(sys.argv[1]), "reconcile apply --target staging", "staging").acquire()
    print("locked", flush=True)
    sys.stdin.readline()
    """
)


def test_an_apply_to_one_target_runs_while_another_target_is_being_applied(
    environments: Path,
) -> None:
    repository = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(environments)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=repository,
        env={**os.environ, "PYTHONPATH": str(repository)},
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
            production = reconcile("apply", "--target", "production", "--auto-approve")
            assert production.exit_code == 0, production.output
            staging = reconcile("apply", "--target", "staging", "--auto-approve")
            assert staging.exit_code == 1
            assert (
                f"another apply to target 'staging' is running in this project (pid {holder.pid}"
                in (staging.output)
            )
        finally:
            holder.kill()
            holder.wait(timeout=10)
    assert profiles(environments, "staging") == []
    assert [p["name"] for p in profiles(environments, "production")] == ["Main"]


def test_a_target_exported_alone_leaves_what_common_holds_where_it_is(
    two_organizations: Path,
) -> None:
    assert reconcile("export", "--layout", "environments").exit_code == 0
    shutil.rmtree(two_organizations / "production")
    result = reconcile("export", "--target", "production")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (two_organizations / "production").iterdir()) == [
        "stripe-app.yaml"
    ]
    planned = reconcile("plan", "--target", "production", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
