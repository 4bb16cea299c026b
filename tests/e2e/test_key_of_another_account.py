"""A key of another Stripe account than the installed app's, as `examples/` declare the app
(no `spec.account_id`): one finding names both accounts and blocks, even with
`--skip-stripe-checks`, since Konnect would refuse the key half way through an apply."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.targets import SANDBOX_DB
from tests.e2e.test_apply import reconcile, state
from tests.e2e.worlds import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The account the examples' app is installed with: the sandbox's stand-in key opens it.
APPS_ACCOUNT = "acct_1SandboxTest0000"
OTHER_ACCOUNT = "acct_1OtherAccount0000"
# Its last four characters differ from the stand-in key's, so the plan shows an update.
OTHER_KEY = "sk_test_" + "otheraccount" + "0" * 12 + "4242"
SKIPPING = pytest.mark.parametrize(
    "options", [(), ("--skip-stripe-checks",)], ids=["checked", "skip-stripe-checks"]
)
FOREIGN_KEY = (
    f"STRIPE_API_KEY holds a key of Stripe account {OTHER_ACCOUNT}, but the app is installed "
    f"with Stripe account {APPS_ACCOUNT}, and Konnect refuses a key of another account"
)
FOREIGN_KEY_FIX = (
    f"set STRIPE_API_KEY to a key of {APPS_ACCOUNT}; or, to bill through {OTHER_ACCOUNT}, "
    "declare a new StripeApp with this key (apply installs it) and move the billing profiles "
    "to it: a profile's app cannot change, so they are replaced, and every customer link on "
    f"them must name a Stripe customer of {OTHER_ACCOUNT}"
)


@pytest.fixture
def examples(project: Path) -> Path:
    """The examples, applied to their embedded sandbox with its stand-in key."""
    ignored = shutil.ignore_patterns(".reconcile", "invalid")
    shutil.copytree(EXAMPLES, project, ignore=ignored, dirs_exist_ok=True)
    applied = reconcile("apply", str(project), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return project


@pytest.fixture
def world(examples: Path) -> Iterator[World]:
    """The sandbox apply left (opened only now: a database made earlier would be unseeded)."""
    app = create_app(SandboxConfig(db_path=examples / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield World(client)


def use_key(world: World, monkeypatch: pytest.MonkeyPatch, account: str) -> None:
    world.admin("POST", "/stripe/keys", {"key": OTHER_KEY, "account": account})
    monkeypatch.setenv("STRIPE_API_KEY", OTHER_KEY)


def blocking(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (f["address"].partition(".")[2], f["message"], f["fix"])
        for f in findings
        if f["severity"] == "error"
    ]


@SKIPPING
def test_plan_blocks_with_one_finding_naming_both_accounts(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]
) -> None:
    use_key(world, monkeypatch, OTHER_ACCOUNT)
    text = reconcile("plan", str(examples), "--detailed-exitcode", *options)
    assert text.exit_code == 1, text.output
    assert "1 finding(s) block apply." in text.stdout
    # No webhook or Stripe customer finding: those would only be the other account's.
    result = reconcile("plan", str(examples), "--output", "json", *options)
    assert blocking(json.loads(result.stdout)["findings"]) == [
        ("stripe", FOREIGN_KEY, FOREIGN_KEY_FIX)
    ]
    for output in (text.output, result.output):
        assert OTHER_KEY not in output and OTHER_KEY[-8:] not in output


@SKIPPING
def test_apply_is_refused_before_any_write(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]
) -> None:
    # A change independent of the app, which a half-way apply would have written.
    tax_codes = examples / "tax-codes.yaml"
    tax_codes.write_text(tax_codes.read_text().replace("Metered API calls", "API calls"))
    use_key(world, monkeypatch, OTHER_ACCOUNT)
    before = state(world)
    result = reconcile("apply", str(examples), "--auto-approve", *options)
    assert result.exit_code == 1, result.output
    assert (
        f"1 finding(s) block apply; nothing was written:\n  - stripe_app.stripe: {FOREIGN_KEY}"
        in (result.output)
    )
    assert state(world) == before
    assert OTHER_KEY not in result.output


def test_drift_reports_the_key_once_and_that_apply_cannot_restore_it(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_key(world, monkeypatch, OTHER_ACCOUNT)
    result = reconcile("drift", str(examples), "--output", "json")
    assert result.exit_code == 2, result.output
    items = json.loads(result.stdout)["items"]
    assert [
        (i["address"].partition(".")[2], i["class"], i["message"], i["fix"]) for i in items
    ] == [
        (
            "stripe",
            "changed",
            "changed out of band",
            "apply cannot restore it as it stands: the Stripe item of the same resource says "
            "why and what to do instead",
        ),
        ("stripe", "stripe", FOREIGN_KEY, FOREIGN_KEY_FIX),
    ]
    assert OTHER_KEY not in result.output


def test_a_new_key_of_the_apps_own_account_is_a_plain_rotation(
    examples: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_key(world, monkeypatch, APPS_ACCOUNT)
    result = reconcile("plan", str(examples), "--output", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert blocking(plan["findings"]) == []
    assert plan["summary"] == {"add": 0, "change": 1, "destroy": 0, "blocked": 0}
    applied = reconcile("apply", str(examples), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    [app] = world.konnect("GET", "/apps")["data"]
    assert app["masked_api_key"].endswith(OTHER_KEY[-4:])
