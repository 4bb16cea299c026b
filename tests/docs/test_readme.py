"""The README stays a short front page, and its tour shows what the commands print."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.cli.commands.sandbox import DEFAULT_PORT
from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.targets import SANDBOX_DB
from tests.docs.conftest import Tour
from tests.docs.pages import REPO, page, sample_after
from tests.docs.samples import appears, appears_in_order
from tests.sandbox.hosted_pages.conftest import card_form, form_token

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


def test_the_onboarding_tour_opens_a_checkout_page_that_completes_hooli_s_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = sample_after(README, "<!-- tour:onboarding -->").replace("\\\n", " ").splitlines()
    serve, checkout = (shlex.split(line.rstrip(" &")) for line in lines)
    shutil.copytree(REPO / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".*"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    assert CliRunner().invoke(main, ["apply", "examples", "--auto-approve"]).exit_code == 0
    assert hooli_findings() == ["no Stripe customer is linked yet (onboarding: checkout)"]
    database = Path(serve[serve.index("--db") + 1])
    assert serve[:3] == [".venv/bin/reconcile", "sandbox", "serve"]
    assert database == Path("examples") / SANDBOX_DB
    project = Path("examples/reconcile.yaml")
    served = f"url: http://127.0.0.1:{DEFAULT_PORT}"
    assert served in project.read_text()

    # On a free port rather than the default, which something else may hold.
    with SandboxServer(SandboxConfig(db_path=database)) as server:
        project.write_text(project.read_text().replace(served, f"url: {server.url}"))
        made = CliRunner().invoke(main, checkout[1:])
        assert made.exit_code == 0, made.output
        [url] = [word for word in made.stdout.split() if word.startswith(server.url + "/hosted/")]
        token = form_token(httpx.get(url))
        saved = httpx.post(url, data={**card_form(), "form_token": token})

    assert saved.status_code == 303
    assert saved.headers["location"] == "https://example.com/welcome"
    assert hooli_findings() == []


def hooli_findings() -> list[str]:
    plan = CliRunner().invoke(main, ["plan", "examples", "--output", "json"])
    findings = json.loads(plan.stdout)["findings"]
    return [finding["message"] for finding in findings if finding["address"].endswith(".hooli")]
