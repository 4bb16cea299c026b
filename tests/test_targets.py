"""Targets: a konnect target reads Stripe only through the apps' own keys, when it must;
what the output calls a target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, SandboxServer
from tests.e2e.worlds import STRIPE_APP, write_manifests


def test_a_konnect_target_exports_without_any_stripe_key(
    tmp_path: Path,
    sandbox_server: SandboxServer,
    sandbox_config: SandboxConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", sandbox_config.konnect_token)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    (project / "reconcile.yaml").write_text(
        "default_target: production\ntargets:\n  production:\n    type: konnect\n"
        f"    base_url: {sandbox_server.url}/v3\n    konnect_token: ${{env:KONNECT_TOKEN}}\n"
    )
    result = CliRunner().invoke(main, ["export", str(project), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Target: production" in result.output


def sandbox_at(tmp_path: Path, url: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "reconcile.yaml").write_text(
        f"default_target: local\ntargets:\n  local:\n    type: sandbox\n    url: {url}\n"
    )
    return project


def test_a_running_sandbox_is_named_by_its_address_and_the_embedded_one_as_such(
    tmp_path: Path, sandbox_server: SandboxServer
) -> None:
    project = sandbox_at(tmp_path, sandbox_server.url + "/")
    write_manifests(project, STRIPE_APP)
    target_line = f"Target: local (sandbox at {sandbox_server.url}, Stripe test mode)"
    served = CliRunner().invoke(main, ["plan", str(project), "--output", "json"])
    assert served.exit_code == 0, served.output
    assert json.loads(served.stdout)["notes"][0] == target_line
    assert "embedded" not in served.output
    text = CliRunner().invoke(main, ["plan", str(project)])
    assert text.stdout.splitlines()[0] == target_line
    embedded = CliRunner().invoke(main, ["plan", str(project), "--target", "sandbox"])
    assert embedded.stdout.splitlines()[0] == "Target: sandbox (embedded sandbox, Stripe test mode)"


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_target_url_with_credentials_is_refused_without_printing_them(
    tmp_path: Path, command: str
) -> None:
    # httpx would send them as basic auth in place of the token: the sandbox answers 401.
    project = sandbox_at(tmp_path, "http://someone:hunter2secret@127.0.0.1:8787")
    result = CliRunner().invoke(main, [command, str(project)])
    assert result.exit_code == 1
    assert (
        f"{project / 'reconcile.yaml'}:5:10: Project/reconcile.yaml: targets.local.url: must not "
        "hold a `user:password@` part: requests carry the target's token instead"
    ) in result.output
    assert "hunter2secret" not in result.output
    assert "Target:" not in result.output


@pytest.mark.parametrize("command", ["plan", "apply", "drift", "export"])
def test_a_konnect_target_over_plain_http_to_another_host_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "Plaintext" * 4)
    project = tmp_path / "project"
    project.mkdir()
    (project / "reconcile.yaml").write_text(
        "default_target: staging\ntargets:\n  staging:\n    type: konnect\n"
        "    base_url: http://konnect.staging.example.com/v3\n"
        "    konnect_token: ${env:KONNECT_TOKEN}\n"
    )
    extra = {"apply": ["--auto-approve"], "export": [str(tmp_path / "out")]}
    result = CliRunner().invoke(main, [command, str(project), *extra.get(command, [])])
    assert result.exit_code == 1
    assert (
        f"{project / 'reconcile.yaml'}:5:15: Project/reconcile.yaml: targets.staging.base_url: "
        "http:// would send the Konnect token unencrypted"
    ) in result.output
    assert "Plaintext" not in result.output
    assert "Target:" not in result.output
    assert "Traceback" not in result.output


def read_and_write_tokens(tmp_path: Path, url: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "reconcile.yaml").write_text(
        "default_target: production\ntargets:\n  production:\n    type: konnect\n"
        f"    base_url: {url}/v3\n    konnect_token: ${{env:KONNECT_TOKEN}}\n"
        "    konnect_read_token: ${env:KONNECT_READ_TOKEN}\n"
    )
    return project


def test_reading_commands_use_the_read_token_and_writing_ones_the_write_token(
    tmp_path: Path,
    sandbox_server: SandboxServer,
    sandbox_config: SandboxConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox accepts only its own token: here the read token; the write token is wrong.
    monkeypatch.setenv("KONNECT_READ_TOKEN", sandbox_config.konnect_token)
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "notTheSandboxToken" * 2)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    # A live key's fingerprint: the target line tells the mode without the key.
    monkeypatch.setenv("STRIPE_API_KEY_FINGERPRINT", "sk_live_...4242")
    project = write_manifests(read_and_write_tokens(tmp_path, sandbox_server.url), STRIPE_APP)
    planned = CliRunner().invoke(main, ["plan", str(project), "--skip-stripe-checks"])
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.splitlines()[0] == (
        f"Target: production (konnect, {sandbox_server.url}/v3, Stripe live mode)"
    )
    exported = CliRunner().invoke(main, ["export", str(project), str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_" + "a" * 20 + "4242")
    applied = CliRunner().invoke(
        main, ["apply", str(project), "--auto-approve", "--skip-stripe-checks"]
    )
    assert applied.exit_code == 1
    assert "401 Unauthorized: missing or invalid bearer token" in applied.output
    assert "notTheSandboxToken" not in applied.output
