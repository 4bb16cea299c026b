"""Real organizations first: without reconcile.yaml the target comes from the environment,
never from a silent sandbox; a running sandbox server stands in for Konnect here."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.core.version import VERSION
from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.targets import SANDBOX_DB, SANDBOX_STRIPE_KEY
from tests.e2e.worlds import STRIPE_APP, manifest, write_manifests

SAAS = manifest(
    "TaxCode", "saas", {"key": "saas", "name": "SaaS", "stripe_tax_code": "txcd_10103001"}
)


def reconcile(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def free_port() -> int:
    """A loopback port nobody listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def listing(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


@pytest.fixture
def manifests_only(tmp_path: Path) -> Path:
    """A directory holding manifests and nothing else: no reconcile.yaml anywhere above."""
    return write_manifests(tmp_path / "billing", STRIPE_APP, SAAS)


@pytest.fixture
def konnect_env(
    monkeypatch: pytest.MonkeyPatch, sandbox_server: SandboxServer, sandbox_config: SandboxConfig
) -> str:
    """The environment of a real organization, the sandbox server standing in for Konnect."""
    monkeypatch.setenv("KONNECT_TOKEN", sandbox_config.konnect_token)
    monkeypatch.setenv("KONNECT_BASE_URL", sandbox_server.url + "/v3")
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    return sandbox_config.konnect_token


def test_the_environment_names_the_konnect_target_and_read_only_commands_write_nothing(
    manifests_only: Path, konnect_env: str, sandbox_server: SandboxServer
) -> None:
    before = listing(manifests_only.parent)
    planned = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.splitlines()[0] == (
        f"Target: environment (konnect, {sandbox_server.url}/v3, Stripe test mode)"
    )
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in planned.stdout
    drifted = reconcile("drift", str(manifests_only), "--skip-stripe-checks")
    assert drifted.exit_code == 2, drifted.output
    assert reconcile("validate", str(manifests_only)).exit_code == 0
    assert listing(manifests_only.parent) == before
    assert konnect_env not in planned.output + drifted.output


def test_without_a_token_or_project_file_nothing_runs_and_the_error_says_how_to_declare(
    manifests_only: Path,
) -> None:
    for command in ("plan", "drift", "apply"):
        if command == "apply":  # the read-only commands have left nothing behind
            assert listing(manifests_only) == ["manifests.yaml"]
        result = reconcile(command, str(manifests_only))
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: no target to run against: set KONNECT_TOKEN (with KONNECT_REGION or "
            "KONNECT_BASE_URL, and STRIPE_API_KEY) for a Konnect organization, declare targets "
            "in reconcile.yaml (`reconcile init` writes one), or pass --target sandbox for the "
            "local sandbox\n"
        )
        assert "Traceback" not in result.output


def test_the_sandbox_runs_when_named_and_says_it_ignores_a_token(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "x" * 40)
    result = reconcile("plan", str(manifests_only), "--target", "sandbox")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Target: sandbox (embedded sandbox, Stripe test mode)\n")
    assert result.stderr.splitlines() == [
        "Note: KONNECT_TOKEN is set, but target 'sandbox' is a sandbox and ignores it."
    ]


def test_a_refused_port_is_named_with_its_cause_after_announced_retries(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "y" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    monkeypatch.setenv("KONNECT_BASE_URL", f"http://127.0.0.1:{free_port()}/v3")
    result = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        "Error: cannot reach 127.0.0.1: connection refused (is KONNECT_BASE_URL right? a proxy?)"
    )
    retries = [line for line in lines if line.startswith("retrying ")]
    assert retries[0].endswith("after connection refused, attempt 2 of 6")
    assert retries[-1].endswith("attempt 6 of 6")
    assert "Traceback" not in result.output


def test_a_host_that_does_not_resolve_fails_at_once(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RFC 6761: .invalid never resolves, so nothing leaves this machine.
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "z" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    monkeypatch.setenv("KONNECT_BASE_URL", "https://konnect.invalid/v3")
    result = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: cannot reach konnect.invalid: the host name does not resolve (DNS) "
        "(is KONNECT_BASE_URL right? a proxy?)"
    ]


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "drift"])
def test_a_directory_without_manifests_is_an_error(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = reconcile(command, "--target", "sandbox") if command != "validate" else None
    result = result or reconcile(command)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: no manifests found"
    assert ".:1:1: Directory/.: no manifests found in . (YAML files of apiVersion" in result.output
    assert listing(empty) == []


def test_dir_defaults_to_the_current_directory(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(manifests_only)
    result = reconcile("plan", "--target", "sandbox")
    assert result.exit_code == 0, result.output
    assert "Plan: 2 to add" in result.stdout
    assert reconcile("validate").exit_code == 0
    assert reconcile("drift", "--target", "sandbox").exit_code == 2
    assert reconcile("apply", "--target", "sandbox", "--auto-approve").exit_code == 0
    exported = reconcile("export", ".", str(manifests_only.parent / "out"), "--target", "sandbox")
    assert exported.exit_code == 0, exported.output
    assert (manifests_only.parent / "out" / "stripe-app.yaml").is_file()


def test_reconcile_yaml_is_found_above_dir_up_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    (repository / "reconcile.yaml").write_text("default_target: sandbox\n")
    below = write_manifests(repository / "billing" / "prod", STRIPE_APP)
    result = reconcile("plan", str(below))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Target: sandbox (embedded sandbox, Stripe test mode)\n")
    assert (repository / SANDBOX_DB).is_file()
    # A project file above the repository root is another project's.
    (tmp_path / "reconcile.yaml").write_text("default_target: sandbox\n")
    (repository / "reconcile.yaml").unlink()
    outside = reconcile("plan", str(below))
    assert outside.exit_code == 1
    assert "no target to run against" in outside.stderr


def test_debug_logs_each_request_without_secrets(
    manifests_only: Path, konnect_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = reconcile("--debug", "plan", str(manifests_only), "--skip-stripe-checks")
    assert result.exit_code == 0, result.output
    requests = [line for line in result.stderr.splitlines() if line.startswith("GET ")]
    assert any(line.startswith("GET /openmeter/apps 200 ") for line in requests), requests
    assert all("request-id=" in line and " ms " in line for line in requests)
    assert konnect_env not in result.output
    monkeypatch.setenv("RECONCILE_LOG", "debug")
    by_variable = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert "GET /openmeter/apps 200 " in by_variable.stderr
    monkeypatch.delenv("RECONCILE_LOG")
    quiet = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert "GET /openmeter/apps" not in quiet.stderr


def test_a_rate_limited_read_announces_its_retries(
    manifests_only: Path, konnect_env: str, admin: httpx.Client
) -> None:
    faults = {"route_faults": {"GET /v3/openmeter/apps": 429}, "retry_after_seconds": 0}
    admin.put("/faults", json=faults).raise_for_status()
    result = reconcile("plan", str(manifests_only), "--skip-stripe-checks")
    assert result.exit_code == 1
    assert "retrying GET /openmeter/apps after 429, attempt 2 of 6" in result.stderr.splitlines()


def test_version() -> None:
    result = reconcile("--version")
    assert result.exit_code == 0
    assert result.stdout == f"reconcile, version {VERSION}\n"
