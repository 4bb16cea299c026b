"""`reconcile init`: a new project that validates, plans clean against the sandbox, applies,
and is meant for git (its editor schemas resolve, `.reconcile/` is ignored)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.core.version import VERSION
from reconciler.engine.exporter import SCHEMAS_DIRECTORY

REPOSITORY = Path(__file__).resolve().parents[3]
KIND_FILES = ["stripe-app.yaml", "tax-code.yaml", "billing-profile.yaml", "customer-billing.yaml"]
MODELINE = "# yaml-language-server: $schema="


@pytest.fixture(autouse=True)
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STRIPE_API_KEY", "KONNECT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def reconcile(*args: str) -> Result:
    return CliRunner().invoke(main, [*args])


def test_init_then_validate_plan_and_apply_in_an_empty_directory(tmp_path: Path) -> None:
    project = tmp_path / "billing"
    assert reconcile("init", str(project)).exit_code == 0

    validated = reconcile("validate", str(project))
    assert validated.exit_code == 0, validated.output
    planned = reconcile("plan", str(project), "--target", "sandbox", "--no-color")
    assert planned.exit_code == 0, planned.output
    assert "Plan: 4 to add, 0 to change, 0 to destroy." in planned.output
    assert "block apply" not in planned.output
    assert reconcile("apply", str(project), "--auto-approve").exit_code == 0
    again = reconcile("plan", str(project), "--detailed-exitcode", "--no-color")
    assert again.exit_code == 0, again.output


def test_init_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert reconcile("init").exit_code == 0
    assert (tmp_path / "reconcile.yaml").is_file()


def test_every_file_names_a_schema_that_is_written_next_to_it(tmp_path: Path) -> None:
    assert reconcile("init", str(tmp_path)).exit_code == 0
    for name in [*KIND_FILES, "reconcile.yaml"]:
        first_line = (tmp_path / name).read_text().splitlines()[0]
        assert first_line.startswith(MODELINE), name
        schema = tmp_path / first_line.removeprefix(MODELINE)
        assert schema.parent.name == SCHEMAS_DIRECTORY
        assert json.loads(schema.read_text())["$schema"]


def test_the_konnect_target_reads_its_secrets_from_the_environment(tmp_path: Path) -> None:
    assert reconcile("init", str(tmp_path)).exit_code == 0
    targets = yaml.safe_load((tmp_path / "reconcile.yaml").read_text())["targets"]
    assert targets["konnect"]["konnect_token"] == "${env:KONNECT_TOKEN}"
    assert targets["konnect"]["stripe_api_key"] == "${env:STRIPE_API_KEY}"
    assert targets["sandbox"] == {"type": "sandbox", "seed": "sandbox-seed.yaml"}
    assert (tmp_path / ".gitignore").read_text() == ".reconcile/\n"


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "tax-code.yaml").write_text("# ours\n")

    refused = reconcile("init", str(tmp_path))

    assert refused.exit_code == 1
    assert "tax-code.yaml" in refused.output and "--force" in refused.output
    assert "Traceback" not in refused.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tax-code.yaml"]
    assert (tmp_path / "tax-code.yaml").read_text() == "# ours\n"


def test_force_overwrites_and_keeps_the_gitignore_lines(tmp_path: Path) -> None:
    (tmp_path / "tax-code.yaml").write_text("# ours\n")
    (tmp_path / ".gitignore").write_text("*.pyc\n")

    assert reconcile("init", str(tmp_path), "--force").exit_code == 0

    assert "kind: TaxCode" in (tmp_path / "tax-code.yaml").read_text()
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n.reconcile/\n"


ACTION = "acme/reconcile@" + "0123456789abcdef" * 2 + "01234567"


def test_github_writes_the_projects_own_workflows_calling_the_pinned_action(
    tmp_path: Path,
) -> None:
    assert reconcile("init", str(tmp_path), "--github", "--action", ACTION).exit_code == 0

    written = tmp_path / ".github" / "workflows"
    assert sorted(p.name for p in written.iterdir()) == [
        "apply-target.yml",
        "apply.yml",
        "drift.yml",
        "plan.yml",
    ]
    for workflow in written.iterdir():
        own = (REPOSITORY / ".github" / "workflows" / workflow.name).read_text()
        # The same workflow, calling the action by its repository and commit instead of `./`.
        pinned = f"uses: {ACTION} # konnect-reconcile {VERSION}\n"
        assert workflow.read_text() == own.replace("uses: ./\n", pinned)
        assert "uses: ./\n" not in workflow.read_text()


@pytest.mark.parametrize("action", [None, "acme/reconcile@v1", "acme/reconcile@" + "0" * 39])
def test_github_refuses_an_action_not_pinned_by_commit(tmp_path: Path, action: str | None) -> None:
    result = reconcile("init", str(tmp_path), "--github", *(["--action", action] if action else []))
    assert result.exit_code == 1
    assert "pinned by commit: --action OWNER/REPO@COMMIT" in result.output
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_without_github_no_workflow_is_written(tmp_path: Path) -> None:
    assert reconcile("init", str(tmp_path)).exit_code == 0
    assert not (tmp_path / ".github").exists()
