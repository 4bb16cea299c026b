"""Every command says where it writes before it writes: the `Target:` line comes first, the
apply prompt names the target, and a live-mode target is approved by its name only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.targets import SANDBOX_STRIPE_KEY
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

EMBEDDED = "Target: sandbox (embedded sandbox, Stripe test mode)"
SAAS = manifest(
    "TaxCode", "saas", {"key": "saas", "name": "SaaS", "stripe_tax_code": "txcd_10103001"}
)
PROFILE = manifest(
    "BillingProfile",
    "main",
    {"name": "Main", "default": True, "app": "stripe", "supplier": SUPPLIER},
)
# Live-mode keys by their prefix only: with the Stripe checks skipped, Stripe is never asked.
LIVE_KEY = "sk_live_" + "0" * 24
LIVE_RESTRICTED_KEY = "rk_live_" + "0" * 24


def reconcile(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


@pytest.fixture
def interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reconciler.cli.commands.apply._interactive", lambda: True)


def test_apply_of_a_planfile_names_the_target_first(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    planfile = project.parent / "tfplan"
    assert reconcile("plan", project, "-out", planfile).exit_code == 0
    result = reconcile("apply", planfile)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == EMBEDDED
    assert result.stdout.count("Target: ") == 1


def test_adopt_names_the_target_first(project: Path, world: World) -> None:
    app = world.stripe_app()
    world.profile(app, "Main", default=True, labels={"team": "finance"})
    write_manifests(project, STRIPE_APP, PROFILE)
    result = reconcile("adopt", project, "billing_profile.main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == EMBEDDED


def test_plan_and_apply_print_the_target_once(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    for command in (["plan", project], ["apply", project, "--auto-approve"]):
        result = reconcile(*command)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == EMBEDDED
        assert result.stdout.count("Target: ") == 1


@pytest.mark.usefixtures("interactive")
def test_a_test_mode_target_is_approved_with_yes(project: Path, world: World) -> None:
    write_manifests(project, STRIPE_APP)
    result = reconcile("apply", project, input="yes\n")
    assert "Do you want to perform these actions in target sandbox?" in result.stdout
    assert "Only 'yes' will be accepted to approve." in result.stdout
    assert result.exit_code == 0, result.output
    assert world.konnect("GET", "/apps")["data"]


@pytest.fixture(params=[LIVE_KEY, LIVE_RESTRICTED_KEY], ids=["secret", "restricted"])
def live_key(request: pytest.FixtureRequest) -> str:
    key: str = request.param
    return key


@pytest.fixture
def live_project(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox_server: SandboxServer,
    sandbox_config: SandboxConfig,
    live_key: str,
) -> Path:
    """A Konnect target named `production` whose Stripe key is a live-mode one, secret or
    restricted; the sandbox server stands in for Konnect."""
    monkeypatch.setenv("KONNECT_TOKEN", sandbox_config.konnect_token)
    monkeypatch.setenv("STRIPE_LIVE_KEY", live_key)
    project = write_manifests(tmp_path / "billing", SAAS)
    (project / "reconcile.yaml").write_text(
        "default_target: production\ntargets:\n  production:\n    type: konnect\n"
        f"    base_url: {sandbox_server.url}/v3\n    konnect_token: ${{env:KONNECT_TOKEN}}\n"
        "    stripe_api_key: ${env:STRIPE_LIVE_KEY}\n"
    )
    return project


def tax_code_keys(sandbox_server: SandboxServer, token: str) -> list[str]:
    answer = httpx.get(
        f"{sandbox_server.url}/v3/openmeter/tax-codes",
        headers={"Authorization": f"Bearer {token}"},
    )
    return [code["key"] for code in answer.json()["data"]]


@pytest.mark.usefixtures("interactive")
@pytest.mark.parametrize(("answer", "applied"), [("production", True), ("yes", False)])
def test_a_live_mode_target_is_approved_with_its_name_only(
    live_project: Path,
    sandbox_server: SandboxServer,
    sandbox_config: SandboxConfig,
    answer: str,
    applied: bool,
    live_key: str,
) -> None:
    result = reconcile("apply", live_project, "--skip-stripe-checks", input=answer + "\n")
    assert result.stdout.splitlines()[0] == (
        f"Target: production (konnect, {sandbox_server.url}/v3, Stripe live mode)"
    )
    assert "Do you want to perform these actions in target production?" in result.stdout
    assert "Only 'production' will be accepted to approve." in result.stdout
    assert result.exit_code == (0 if applied else 1), result.output
    assert ("saas" in tax_code_keys(sandbox_server, sandbox_config.konnect_token)) is applied
    assert live_key not in result.output


STAND_IN_NOTE = "Note: STRIPE_API_KEY is not set; the sandbox's built-in test key is used instead."


def test_the_stand_in_key_is_said_by_the_command_that_creates_the_sandbox_world_only(
    project: Path,
) -> None:
    write_manifests(project, STRIPE_APP, SAAS)
    first = reconcile("plan", project)
    assert first.stdout.splitlines()[:2] == [EMBEDDED, STAND_IN_NOTE], first.output
    for command in (["plan"], ["apply", "--auto-approve"], ["drift"]):
        again = reconcile(command[0], project, *command[1:])
        assert again.exit_code in (0, 2), again.output
        assert STAND_IN_NOTE not in again.output
        assert again.stdout.splitlines()[0] == EMBEDDED


def test_no_stand_in_note_when_the_key_is_set_even_for_a_new_world(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    write_manifests(project, STRIPE_APP, SAAS)
    result = reconcile("plan", project)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [EMBEDDED, ""]
