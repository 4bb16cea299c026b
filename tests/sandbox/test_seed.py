"""Seed files: what a new sandbox world starts with, planted once, through the CLI's target.

A seed is planted whole or not at all: one the sandbox refuses leaves nothing behind, says
why, and is planted by the next run once it is fixed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.seed import SandboxSeed, SeedError, is_planted, load_seed, plant
from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import world
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


def test_a_refused_key_names_the_problem_and_the_next_run_plants_the_seed(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    short_key = "sk_test_" + "short"
    monkeypatch.setenv("STRIPE_API_KEY", short_key)

    refused = CliRunner().invoke(main, ["plan", str(examples)])

    assert refused.exit_code == 1
    assert (
        "sandbox-seed.yaml: the sandbox refuses the Stripe key the seed is planted with: it is "
        f"not a Stripe secret or restricted key ({world.KEY_FORMAT}); that key is "
        "StripeApp/stripe's ${env:STRIPE_API_KEY}; nothing of it was planted, and the next run "
        "plants it again"
    ) in refused.output
    assert short_key not in refused.output and "Traceback" not in refused.output
    monkeypatch.delenv("STRIPE_API_KEY")
    planned = CliRunner().invoke(main, ["plan", str(examples)])
    assert planned.exit_code == 0, planned.output
    assert "Error:" not in planned.stdout


def test_a_seed_refused_halfway_plants_nothing_until_it_is_fixed(examples: Path) -> None:
    seed = examples / "sandbox-seed.yaml"
    good = seed.read_text()
    seed.write_text(good.replace("card: mastercard", "card: nonesuch"))

    refused = CliRunner().invoke(main, ["plan", str(examples)])

    assert refused.exit_code == 1
    assert (
        "sandbox-seed.yaml: pm_1Ab2Cd3Ef4Gh5Ij6: no test card 'nonesuch'; nothing of it was "
        "planted, and the next run plants it again"
    ) in refused.output
    with world_of(examples) as client:
        # The customers before the bad card were not kept: the world is as it was.
        assert World(client).admin("GET", "/collections/stripe.customers")["data"] == []
    seed.write_text(good)
    planned = CliRunner().invoke(main, ["plan", str(examples)])
    assert planned.exit_code == 0, planned.output
    assert "Error:" not in planned.stdout


def test_a_seed_is_planted_once_and_registers_the_key_it_is_planted_with(tmp_path: Path) -> None:
    key = "sk_test_" + "projectkey" * 2
    seed = SandboxSeed.model_validate(
        {"stripe": {"customers": [{"id": "cus_Seeded1"}]}, "konnect": {"customers": []}}
    )
    store = Store(tmp_path / "world.db")
    try:
        assert world.account_for_key(store, key) is None and not is_planted(store)

        planted = plant(seed, store, key)
        again = plant(seed, store, key)

        account = world.account_for_key(store, key)
        assert planted and not again and is_planted(store)
        assert account is not None and account["id"] == world.default_account_id(livemode=False)
        assert world.get_customer(store, account["id"], "cus_Seeded1") is not None
    finally:
        store.close()


def test_a_seed_with_a_revoked_key_or_a_bad_konnect_customer_is_refused_whole(
    tmp_path: Path,
) -> None:
    seed = SandboxSeed.model_validate(
        {
            "stripe": {"customers": [{"id": "cus_Seeded1"}]},
            "konnect": {"customers": [{"key": "acme", "name": ""}]},
        }
    )
    store = Store(tmp_path / "world.db")
    try:
        with pytest.raises(SeedError, match=r"konnect customer 'acme': name: String should have"):
            plant(seed, store, world.BUILT_IN_TEST_KEY)
        assert store.collections() == [] and not is_planted(store)
        world.revoke_key(store, world.BUILT_IN_TEST_KEY)
        with pytest.raises(SeedError, match=r"planted with: it was revoked$"):
            plant(seed, store, world.BUILT_IN_TEST_KEY)
    finally:
        store.close()
