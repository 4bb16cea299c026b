"""The validate page names every problem code, and shows what validate really prints."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.docs.conftest import Tour
from tests.docs.pages import REPO, between, fenced_blocks, page
from tests.test_examples import PROMISED_CODES

VALIDATE = page("docs/commands/validate.md")


def test_every_problem_class_is_documented() -> None:
    table = between(VALIDATE, "## What `reconcile validate` checks", "`--output json`")
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", table))
    assert documented >= PROMISED_CODES | {"unreadable-file", "not-a-mapping", "bad-project"}


def test_json_sample_has_the_real_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (sample,) = fenced_blocks(VALIDATE, "json")[:1]
    documented = json.loads(sample)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    app = tmp_path / "examples" / "stripe.yaml"
    app.write_text(app.read_text().replace("livemode: false", "livemode: no way"))
    result = CliRunner().invoke(main, ["validate", "examples", "--output", "json"])
    assert json.loads(result.stdout) == documented


def test_text_sample_is_what_validate_prints(tour: Tour) -> None:
    (sample,) = fenced_blocks(VALIDATE, "text")[:1]
    assert tour.validate_error.splitlines() == sample.strip().splitlines()
