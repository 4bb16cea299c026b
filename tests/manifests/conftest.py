"""Helpers for manifest tests: write YAML into a temporary directory and validate it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.manifests import Diagnostic, ValidationReport, validate_directory

# A valid StripeApp and default BillingProfile that other documents can refer to.
BASE = """\
apiVersion: reconcile.konghq.dev/v1
kind: StripeApp
metadata: {name: stripe}
spec: {api_key: "${env:STRIPE_API_KEY}"}
---
apiVersion: reconcile.konghq.dev/v1
kind: BillingProfile
metadata: {name: main}
spec:
  default: true
  app: stripe
  supplier:
    name: ACME Inc.
    addresses: {billing_address: {country: US}}
"""

Validate = Callable[..., ValidationReport]


@pytest.fixture
def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Validate:
    """validate(text, base=True, name="m.yaml", **more_files) -> report of the directory.

    Runs from inside the directory, so paths in messages are short and relative.
    """
    monkeypatch.chdir(tmp_path)

    def run(
        text: str, *, base: bool = True, name: str = "m.yaml", **files: str
    ) -> ValidationReport:
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        if base:
            (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
        for file_name, content in files.items():
            target = tmp_path / file_name.replace("__", "/").replace("_yaml", ".yaml")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(content), encoding="utf-8")
        return validate_directory(tmp_path)

    return run


def only(report: ValidationReport) -> Diagnostic:
    """The single diagnostic of a report (fails, listing them, if there are more or none)."""
    assert len(report.diagnostics) == 1, [d.format() for d in report.diagnostics]
    return report.diagnostics[0]


def at(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """(file name, line, column, code): what every rule test asserts."""
    return (
        diagnostic.file.name,
        diagnostic.position.line,
        diagnostic.position.column,
        diagnostic.code,
    )


def column_of(line: str, marker: str) -> int:
    """1-based column where `marker` first occurs in `line`: where a diagnostic should point."""
    assert marker in line
    return line.index(marker) + 1
