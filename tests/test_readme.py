"""The README stays true: its reference, its codes, its sample output and its commands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifests.reference import render_reference
from reconciler.schema_files import schema_files
from reconciler.views.plan_json import PLAN_OUTPUT_FILE
from tests.test_examples import PROMISED_CODES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
START, END = "<!-- reference:start -->\n", "<!-- reference:end -->"


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_manifest_reference_matches_the_models() -> None:
    embedded = README.split(START, 1)[1].split(END, 1)[0]
    assert embedded == render_reference(), (
        "README reference is stale: replace the block with `reconcile schema --reference`"
    )


def test_every_problem_class_is_documented() -> None:
    table = README.split("## What `reconcile validate` checks", 1)[1].split("`--output json`")[0]
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", table))
    assert documented >= PROMISED_CODES | {"unreadable-file", "not-a-mapping", "bad-project"}


def test_json_sample_has_the_real_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (sample,) = fenced_blocks("json")[:1]
    documented = json.loads(sample)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    app = tmp_path / "examples" / "stripe.yaml"
    app.write_text(app.read_text().replace("livemode: false", "livemode: no way"))
    result = CliRunner().invoke(main, ["validate", "examples", "--output", "json"])
    assert json.loads(result.stdout) == documented


def test_tour_output_is_what_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sample,) = fenced_blocks("text")[:1]
    documented = [line.strip() for line in sample.strip().splitlines()]
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    profile = tmp_path / "examples" / "billing-profiles" / "enterprise.yaml"
    profile.write_text(profile.read_text().replace("due_after: P30D", "due_after: 30 days"))
    result = CliRunner().invoke(main, ["validate", "examples/"])
    assert result.output.splitlines() == documented


def test_the_two_commands_exist() -> None:
    makefile = (REPO / "Makefile").read_text()
    for target in ("demo", "test", "schemas"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, flags=re.M)


def test_modeline_sample_names_a_real_schema() -> None:
    names = re.findall(r"\$schema=\.\./schemas/(\S+)", README)
    assert names and all((REPO / "schemas" / name).is_file() for name in names)


def test_every_admin_route_is_documented_and_every_documented_one_exists() -> None:
    from starlette.routing import Mount, Route

    from reconciler.sandbox import SandboxConfig, create_app

    def admin_routes(routes: list[Any], prefix: str = "") -> set[str]:
        found: set[str] = set()
        for route in routes:
            if isinstance(route, Mount) and (prefix + route.path).startswith("/_sandbox"):
                found |= admin_routes(route.routes, prefix + route.path)
            elif isinstance(route, Route) and prefix.startswith("/_sandbox"):
                methods = sorted((route.methods or set()) - {"HEAD"})
                found |= {f"{method} {prefix}{route.path}" for method in methods}
        return found

    served = admin_routes(create_app(SandboxConfig(db_path=Path(":memory:"))).routes)
    table = README.split("<!-- admin-routes:start -->", 1)[1].split("<!-- admin-routes:end -->")[0]
    documented = set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /_sandbox[^`]*)`", table))
    assert documented == served


def test_every_key_of_the_plan_json_is_documented() -> None:
    table = README.split("<!-- plan-json:start -->", 1)[1].split("<!-- plan-json:end -->")[0]
    first_cells = [row.split("|")[1] for row in table.strip().splitlines()[2:]]
    documented = {key for cell in first_cells for key in re.findall(r"`([a-z_]+)`", cell)}
    assert documented == set(schema_files()[PLAN_OUTPUT_FILE]["properties"])
