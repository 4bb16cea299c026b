"""Plans made with read credentials only: the target's restricted Stripe key reads every Stripe
fact, the write key is absent, and the key's declared fingerprint still shows a rotation coming;
apply, with the write key, applies that plan. A Konnect read token plans without the write
token, which apply then needs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reconciler.core.secrets import public_fingerprint
from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from reconciler.targets import SANDBOX_DB
from tests.e2e.test_apply import reconcile
from tests.e2e.worlds import STRIPE_APP, World, manifest, write_manifests

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCOUNT = "acct_1SandboxTest0000"  # the account the examples' app is installed with
READ_KEY = "rk_test_" + "readonly" + "0" * 14 + "7777"
WRITE_KEY = "sk_test_" + "rotated" + "0" * 15 + "9999"
SECOND_KEY = "sk_test_" + "another" + "0" * 15 + "5555"
READ_TARGET = (
    "default_target: sandbox\n"
    "exclude: [invalid/]\n"
    "targets:\n"
    "  sandbox:\n"
    "    type: sandbox\n"
    "    seed: sandbox-seed.yaml\n"
    "    stripe_read_key: ${env:STRIPE_READ_KEY}\n"
)


@pytest.fixture
def examples(project: Path) -> Path:
    """The examples applied with the sandbox's own key, then given a Stripe read key."""
    ignored = shutil.ignore_patterns(".reconcile", "invalid")
    shutil.copytree(EXAMPLES, project, ignore=ignored, dirs_exist_ok=True)
    applied = reconcile("apply", str(project), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    (project / "reconcile.yaml").write_text(READ_TARGET)
    return project


@pytest.fixture
def world(examples: Path) -> Iterator[World]:
    app = create_app(SandboxConfig(db_path=examples / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as client:
        world = World(client)
        for key in (READ_KEY, WRITE_KEY, SECOND_KEY):
            world.admin("POST", "/stripe/keys", {"key": key, "account": ACCOUNT})
        yield world


def read_only(monkeypatch: pytest.MonkeyPatch, intended_key: str) -> None:
    """The environment of a pull request's plan: a read key, the write key's fingerprint."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.setenv("STRIPE_READ_KEY", READ_KEY)
    monkeypatch.setenv("STRIPE_API_KEY_FINGERPRINT", public_fingerprint(intended_key))


def writer(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """The environment of the approved apply job: the write key, no read key."""
    for name in ("STRIPE_READ_KEY", "STRIPE_API_KEY_FINGERPRINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STRIPE_API_KEY", key)


def installed_key(world: World) -> str:
    (app,) = world.konnect("GET", "/apps")["data"]
    return str(app["masked_api_key"])


def test_a_read_only_plan_sees_the_rotation_and_apply_installs_that_key(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read_only(monkeypatch, WRITE_KEY)
    planfile = tmp_path / "plan.out"
    planned = reconcile("plan", str(examples), "-out", str(planfile), "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    header = planned.stdout.split("\n\n")[0].splitlines()
    assert header[0] == "Target: sandbox (embedded sandbox, Stripe test mode)"
    # Every Stripe read went through the read key: the write key was never asked for, not
    # even through the sandbox's stand-in for an unset variable.
    assert "Stripe is read with STRIPE_READ_KEY." in header
    assert not any("STRIPE_API_KEY is not set" in line for line in header)
    assert "# stripe_app.stripe will be updated in-place" in planned.stdout
    assert "~ api_key = (sensitive value)" in planned.stdout
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in planned.stdout
    saved = planfile.read_text()
    assert json.loads(saved)["secrets"][0]["fingerprint"] == (
        "public:" + public_fingerprint(WRITE_KEY)
    )
    for text in (planned.output, saved):
        assert READ_KEY not in text and WRITE_KEY not in text

    writer(monkeypatch, WRITE_KEY)
    applied = reconcile("apply", str(planfile))
    assert applied.exit_code == 0, applied.output
    assert installed_key(world).endswith(WRITE_KEY[-4:])

    read_only(monkeypatch, WRITE_KEY)
    again = reconcile("plan", str(examples), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_apply_refuses_a_key_other_than_the_one_planned(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read_only(monkeypatch, WRITE_KEY)
    planfile = tmp_path / "plan.out"
    assert reconcile("plan", str(examples), "-out", str(planfile)).exit_code == 0
    before = installed_key(world)
    writer(monkeypatch, SECOND_KEY)
    refused = reconcile("apply", str(planfile))
    assert refused.exit_code == 1, refused.output
    assert "stripe_app.stripe: its secret api_key changed since the plan was made" in (
        refused.output
    )
    assert installed_key(world) == before
    assert SECOND_KEY not in refused.output


def test_a_read_only_plan_without_the_fingerprint_says_what_is_missing(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_only(monkeypatch, WRITE_KEY)
    monkeypatch.setenv("STRIPE_API_KEY_FINGERPRINT", WRITE_KEY)  # the key, by mistake
    refused = reconcile("plan", str(examples))
    assert refused.exit_code == 1
    assert "STRIPE_API_KEY_FINGERPRINT must hold a fingerprint" in refused.output
    assert WRITE_KEY not in refused.output and WRITE_KEY[-4:] not in refused.output


def test_drift_and_export_read_with_the_read_key(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read_only(monkeypatch, "sk_test_" + "reconcile" + "sandbox" + "0" * 16)
    drift = reconcile("drift", str(examples))
    assert drift.exit_code == 0, drift.output
    exported = reconcile("export", str(examples), str(tmp_path / "exported"))
    assert exported.exit_code == 0, exported.output
    for output in (drift.output, exported.output):
        assert "STRIPE_API_KEY is not set" not in output and READ_KEY not in output


@pytest.fixture
def konnect_read_only(
    monkeypatch: pytest.MonkeyPatch, sandbox_server: SandboxServer, sandbox_config: SandboxConfig
) -> str:
    """A Konnect organization's environment with a read token only (the sandbox stands in)."""
    monkeypatch.delenv("KONNECT_TOKEN", raising=False)
    monkeypatch.setenv("KONNECT_READ_TOKEN", sandbox_config.konnect_token)
    monkeypatch.setenv("KONNECT_BASE_URL", sandbox_server.url + "/v3")
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.setenv("STRIPE_API_KEY_FINGERPRINT", public_fingerprint(WRITE_KEY))
    return sandbox_config.konnect_token


def test_a_konnect_read_token_plans_and_only_apply_needs_the_write_token(
    tmp_path: Path, konnect_read_only: str
) -> None:
    saas = manifest(
        "TaxCode", "saas", {"key": "saas", "name": "SaaS", "stripe_tax_code": "txcd_10103001"}
    )
    directory = write_manifests(tmp_path / "billing", STRIPE_APP, saas)
    planned = reconcile("plan", str(directory), "--skip-stripe-checks")
    assert planned.exit_code == 0, planned.output
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in planned.stdout
    assert konnect_read_only not in planned.output
    applied = reconcile("apply", str(directory), "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 1
    assert "environment variable KONNECT_TOKEN is not set" in applied.output


def test_a_read_key_of_another_account_is_named_as_such(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "rk_test_" + "otheraccount" + "0" * 10 + "3333"
    world.admin("POST", "/stripe/keys", {"key": other, "account": "acct_1OtherAccount0000"})
    read_only(monkeypatch, WRITE_KEY)
    monkeypatch.setenv("STRIPE_READ_KEY", other)
    result = reconcile("plan", str(examples), "--output", "json")
    assert result.exit_code == 1, result.output
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert (
        "STRIPE_READ_KEY holds a key of Stripe account acct_1OtherAccount0000, but the app is "
        f"installed with Stripe account {ACCOUNT}, and Konnect refuses a key of another account"
    ) in messages
    assert other not in result.output
