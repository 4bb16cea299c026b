"""Seed files: what a new sandbox world starts with, planted once, through the CLI's target."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.seed import SeedError, load_seed
from reconciler.targets import SANDBOX_DB
from tests.e2e.worlds import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns(".reconcile", "invalid"))
    return copy


def world_of(project: Path) -> TestClient:
    return TestClient(create_app(SandboxConfig(db_path=project / SANDBOX_DB)))


def test_the_examples_plan_apply_and_plan_clean_on_a_fresh_sandbox(examples: Path) -> None:
    planned = CliRunner().invoke(main, ["plan", str(examples)])
    assert planned.exit_code == 0, planned.output
    assert "Error:" not in planned.stdout
    applied = CliRunner().invoke(main, ["apply", str(examples), "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    again = CliRunner().invoke(main, ["plan", str(examples), "--detailed-exitcode"])
    assert again.exit_code == 0, again.output


def test_seeded_objects_keep_their_ids_and_cards(examples: Path) -> None:
    assert CliRunner().invoke(main, ["validate", str(examples)]).exit_code == 0
    assert CliRunner().invoke(main, ["plan", str(examples)]).exit_code == 0
    with world_of(examples) as client:
        world = World(client)
        initech = world.stripe("GET", "/customers/cus_R8t9Y0u1I2o3P4")
        assert initech["invoice_settings"]["default_payment_method"] == "pm_1Ab2Cd3Ef4Gh5Ij6"
        card = world.stripe("GET", "/payment_methods/pm_1Pq2Rs3Tu4Vw5Xy6")
        assert card["customer"] == "cus_Q1w2E3r4T5y6U7"
        assert card["billing_details"]["address"]["country"] == "US"
        [customer] = world.konnect("GET", "/customers?filter[key]=initech")["data"]
        assert customer["name"] == "Initech"


def test_the_seed_is_planted_only_into_a_new_world(examples: Path) -> None:
    assert CliRunner().invoke(main, ["plan", str(examples)]).exit_code == 0
    with world_of(examples) as client:
        World(client).admin("DELETE", "/stripe/customers/cus_S5d6F7g8H9j0K1")
    result = CliRunner().invoke(main, ["plan", str(examples), "--output", "json"])
    assert result.exit_code == 1
    assert "Stripe customer cus_S5d6F7g8H9j0K1 was deleted" in result.stdout


def test_a_broken_seed_names_the_file_and_the_field(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("stripe:\n  customers:\n    - id: customer-1\n")
    with pytest.raises(SeedError, match=r"seed.yaml: not a sandbox seed: stripe.customers.0.id"):
        load_seed(seed)


def test_a_broken_seed_stops_the_command_cleanly(examples: Path) -> None:
    (examples / "sandbox-seed.yaml").write_text("stripe: [not, a, mapping]\n")
    result = CliRunner().invoke(main, ["plan", str(examples)])
    assert result.exit_code == 1
    assert "sandbox-seed.yaml: not a sandbox seed" in result.output
    assert "Traceback" not in result.output
