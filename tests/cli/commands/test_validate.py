"""`reconcile validate` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the examples, with the current directory set to its parent."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "examples"


def test_valid_examples_exit_zero_with_a_summary(workdir: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "examples"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "13 documents in 10 files: valid\n"


def test_problems_are_listed_with_relative_paths_and_exit_one(workdir: Path) -> None:
    profile = workdir / "billing-profiles" / "enterprise.yaml"
    profile.write_text(profile.read_text().replace("due_after: P30D", "due_after: 30 days"))
    (workdir / "customers" / "more.yml").write_text(
        "apiVersion: reconcile.konghq.dev/v1\nkind: CustomerBilling\nmetadata: {name: acme-corp}\n"
        "spec: {customer: {key: acme-corp}, billing_profile: enterprize, onboarding: checkout}\n"
    )
    result = CliRunner().invoke(main, ["validate", "examples"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "examples/billing-profiles/enterprise.yaml:32:18: BillingProfile/enterprise: "
        "spec.workflow.payment.due_after: must be an ISO-8601 duration such as P0D, PT1H or P30D "
        "(the API would silently replace an invalid one with its default)",
        "examples/customers/more.yml:3:18: CustomerBilling/acme-corp: another CustomerBilling is "
        "named 'acme-corp' (examples/customers/enterprise.yaml:5)",
        "examples/customers/more.yml:4:53: CustomerBilling/acme-corp: no BillingProfile named "
        "'enterprize' is declared (did you mean 'enterprise'?)",
    ]
    assert result.stderr == "Error: 3 errors in 2 files\n"


def test_json_output_is_a_documented_object(workdir: Path) -> None:
    (workdir / "stripe.yaml").write_text(
        (workdir / "stripe.yaml").read_text().replace("livemode: false", "livemode: no way")
    )
    result = CliRunner().invoke(main, ["validate", "examples", "--output", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["errors"] == [
        {
            "file": "examples/stripe.yaml",
            "line": 12,
            "column": 13,
            "kind": "StripeApp",
            "name": "stripe",
            "code": "wrong-type",
            "message": "spec.livemode: expected true or false",
            "target": "sandbox",
        }
    ]
    summary = {
        "files": 10,
        "documents": 13,
        "errors": 1,
        "warnings": 0,
        "errors_by_code": {"wrong-type": 1},
    }
    assert report["summary"] == summary
    assert report["target"] == "sandbox"
    assert report["targets"] == [{"target": "sandbox", "valid": False, "summary": summary}]


def test_json_output_when_valid(workdir: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "examples", "--output", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["valid"] is True


def test_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_secrets_never_reach_the_output(workdir: Path) -> None:
    secret = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"[::-1]
    app = workdir / "stripe.yaml"
    app.write_text(app.read_text().replace("${env:STRIPE_API_KEY}", secret))
    for output in ("text", "json"):
        result = CliRunner().invoke(main, ["validate", "examples", "--output", output])
        assert result.exit_code == 1
        assert "literal-secret" in result.stdout or "live Stripe secret key" in result.stdout
        assert secret not in result.output
        assert secret[8:] not in result.output


def test_runnable_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", str(EXAMPLES)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.endswith("valid\n")
