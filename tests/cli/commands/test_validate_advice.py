"""`reconcile validate` warns about settings the integration guide warns against, without
failing: a wait for late usage of zero."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifests.advice import is_zero_duration
from tests.test_schemas import validator

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PROFILE = Path("billing-profiles") / "self-serve.yaml"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "examples"


def wait_for_late_usage(workdir: Path, duration: str) -> None:
    profile = workdir / PROFILE
    text = profile.read_text()
    assert "interval: PT1H" in text
    profile.write_text(text.replace("interval: PT1H", f"interval: {duration}"))


def test_no_wait_for_late_usage_is_a_warning_that_passes(workdir: Path) -> None:
    wait_for_late_usage(workdir, "P0D")
    result = CliRunner().invoke(main, ["validate", "examples"])
    assert result.exit_code == 0, result.output
    [warning, summary] = result.stdout.splitlines()
    assert warning.startswith(
        "examples/billing-profiles/self-serve.yaml:28:17: BillingProfile/self-serve: warning: "
        "a wait for late usage of zero invoices only the events received by then"
    )
    assert "the invoice, whose amount is then wrong" in warning
    assert summary == "13 documents in 10 files: valid (1 warning)"


def test_the_warning_in_json_is_apart_from_the_errors(workdir: Path) -> None:
    wait_for_late_usage(workdir, "PT0S")
    result = CliRunner().invoke(main, ["validate", "examples", "--output", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [error.message for error in validator("validate-output.json").iter_errors(report)] == []
    assert report["valid"] is True
    assert report["errors"] == []
    [warning] = report["warnings"]
    assert (warning["file"], warning["line"], warning["code"]) == (
        "examples/billing-profiles/self-serve.yaml",
        28,
        "no-late-usage-wait",
    )
    assert report["summary"]["warnings"] == 1


def test_a_wait_is_no_warning(workdir: Path) -> None:
    wait_for_late_usage(workdir, "PT10M")
    result = CliRunner().invoke(main, ["validate", "examples"])
    assert result.stdout == "13 documents in 10 files: valid\n"


@pytest.mark.parametrize(
    ("duration", "zero"),
    [("P0D", True), ("PT0S", True), ("P0Y0M0DT0H", True), ("PT1H", False), ("P10D", False)],
)
def test_zero_durations(duration: str, zero: bool) -> None:
    assert is_zero_duration(duration) is zero
