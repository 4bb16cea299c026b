"""The README stays a short front page, and its tour shows what the commands print."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.docs.conftest import Tour
from tests.docs.pages import REPO, page, sample_after
from tests.docs.samples import appears, appears_in_order

README = page("README.md")
LONGEST = 200


def test_the_readme_stays_short() -> None:
    assert len(README.splitlines()) < LONGEST, "move the detail into a page under docs/"


def test_the_two_commands_exist() -> None:
    makefile = (REPO / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, flags=re.M)


def test_tour_output_is_what_validate_prints(tour: Tour) -> None:
    sample = sample_after(README, "<!-- tour:validate -->")
    documented = [line.strip() for line in sample.strip().splitlines()]
    assert tour.validate_error.splitlines() == documented


def test_tour_plan_is_what_plan_prints(tour: Tour) -> None:
    assert appears_in_order(sample_after(README, "<!-- tour:plan -->"), tour.plan)


def test_tour_apply_is_what_apply_prints(tour: Tour) -> None:
    assert appears(sample_after(README, "<!-- tour:apply -->"), tour.apply)
    assert "No changes. Live state matches the manifests." in README
    assert "No changes. Live state matches the manifests." in tour.plan_again


def test_tour_drift_is_what_drift_prints(tour: Tour) -> None:
    assert appears_in_order(sample_after(README, "<!-- tour:drift -->"), tour.drift)


def test_the_python_example_plans_applies_and_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    example = sample_after(README, "<!-- tour:python -->")
    exec(compile(example, "README.md", "exec"), {"__name__": "readme_example"})
    assert "add" in capsys.readouterr().out  # the first plan's summary was printed
