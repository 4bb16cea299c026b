"""Diagnostic formatting: the line format, relative paths, JSON, and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.manifests.diagnostics import Diagnostic, Position, display_path, sorted_diagnostics


def diagnostic(file: Path, line: int = 3, message: str = "spec.key: bad") -> Diagnostic:
    return Diagnostic(file, Position(line, 7), "bad-format", message, "TaxCode", "saas")


def test_format_is_path_line_column_subject_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        diagnostic(tmp_path / "a" / "m.yaml").format()
        == "a/m.yaml:3:7: TaxCode/saas: spec.key: bad"
    )


def test_paths_outside_the_base_stay_as_given(tmp_path: Path) -> None:
    outside = Path("/elsewhere/m.yaml")
    assert display_path(outside, base=tmp_path) == "/elsewhere/m.yaml"
    assert display_path(tmp_path / "x" / "m.yaml", base=tmp_path) == "x/m.yaml"


def test_json_form(tmp_path: Path) -> None:
    assert diagnostic(tmp_path / "m.yaml").to_json(base=tmp_path) == {
        "file": "m.yaml",
        "line": 3,
        "column": 7,
        "kind": "TaxCode",
        "name": "saas",
        "code": "bad-format",
        "message": "spec.key: bad",
    }


def test_sorted_by_file_then_line_without_duplicates(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    found = [diagnostic(b, 1), diagnostic(a, 9), diagnostic(a, 2), diagnostic(a, 2)]
    assert [(d.file.name, d.position.line) for d in sorted_diagnostics(found)] == [
        ("a.yaml", 2),
        ("a.yaml", 9),
        ("b.yaml", 1),
    ]


def test_secret_looking_tokens_are_redacted_everywhere(tmp_path: Path) -> None:
    token = "rk_live_" + "Z" * 20
    redacted = Diagnostic(tmp_path / "m.yaml", Position(1, 1), "x", f"key {token}", token, token)
    assert token not in redacted.format(base=tmp_path)
    assert redacted.message == "key rk_live_<redacted>"
    assert redacted.subject == "rk_live_<redacted>/rk_live_<redacted>"
