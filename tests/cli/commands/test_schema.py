"""`reconcile schema` through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifests.schemas import all_schemas
from reconciler.schema_files import schema_files
from reconciler.views.plan_json import PLAN_OUTPUT_FILE


def test_prints_the_any_kind_schema_by_default() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "reconcile manifest (any kind)"


def test_prints_one_kind() -> None:
    result = CliRunner().invoke(main, ["schema", "tax-code.json"])
    assert json.loads(result.stdout) == all_schemas()["tax-code.json"]


def test_prints_the_plan_output_schema() -> None:
    result = CliRunner().invoke(main, ["schema", PLAN_OUTPUT_FILE])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "reconcile plan --output json"


def test_unknown_schema_name_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["schema", "nope.json"])
    assert result.exit_code == 1
    assert "billing-profile.json" in result.stderr


def test_write_then_check(tmp_path: Path) -> None:
    target = tmp_path / "out"
    written = CliRunner().invoke(main, ["schema", "--write", "--dir", str(target)])
    assert written.exit_code == 0
    assert sorted(path.name for path in target.iterdir()) == sorted(schema_files())
    checked = CliRunner().invoke(main, ["schema", "--check", "--dir", str(target)])
    assert checked.exit_code == 0
    (target / "project.json").write_text("{}")
    stale = CliRunner().invoke(main, ["schema", "--check", "--dir", str(target)])
    assert stale.exit_code == 1
    assert "project.json" in stale.stderr


def test_reference_is_markdown_tables() -> None:
    result = CliRunner().invoke(main, ["schema", "--reference"])
    assert result.exit_code == 0
    assert "#### `BillingProfile`" in result.stdout
    assert "| `spec.workflow.payment.due_after` | ISO-8601 duration |" in result.stdout


def test_the_help_names_every_schema_file() -> None:
    result = CliRunner().invoke(main, ["schema", "--help"])
    assert result.exit_code == 0, result.output
    # click wraps lines after a hyphen too: `customer-` / `billing.json`.
    help_text = re.sub(r"-\s+", "-", " ".join(result.output.split()))
    missing = [name for name in schema_files() if name not in help_text]
    assert not missing, missing
