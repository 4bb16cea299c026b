"""The library page stays true: its examples plan, apply and load the examples from Python."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "library.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_example_plans_applies_and_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    examples = python_blocks()
    assert len(examples) == 2  # plan and apply; load and validate
    for example in examples:
        exec(compile(example, str(PAGE), "exec"), {"__name__": "library_example"})
    assert capsys.readouterr().out.strip()  # the summary of the first plan was printed
