"""Targets: a konnect target reads Stripe only through the apps' own keys, when it must."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, SandboxServer


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
    result = CliRunner().invoke(main, ["export", str(project), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Target: production" in result.output
