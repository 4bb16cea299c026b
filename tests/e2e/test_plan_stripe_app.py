"""The Stripe app's own checks: its key, its account and mode, its webhook endpoint, and what
Konnect says of the key it holds. Each blocks with a fix, so the plan exits 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.targets import SANDBOX_STRIPE_KEY
from tests.e2e.worlds import STRIPE_APP, World, write_manifests

# Well-formed, so the sandbox knows it as a key of its default test account until revoked.
OTHER_KEY = "sk_test_" + "rotated" + "0" * 20
UNREADABLE = (
    "the Stripe key does not read its account (Stripe API: 401 invalid_request_error: Invalid API "
    "Key provided.)",
    "set STRIPE_API_KEY to a valid secret or restricted key with read access to the account",
)
UNAUTHORIZED = (
    "Konnect reports the app as unauthorized: Stripe refuses the key it holds (revoked or expired)",
    "create a new key in the Stripe Dashboard, set it in the environment variable and apply",
)


def app_findings(project: Path, **spec: Any) -> list[tuple[str, str]]:
    """(message, fix) of each finding of a plan of the app alone, which must block."""
    write_manifests(project, {**STRIPE_APP, "spec": {**STRIPE_APP["spec"], **spec}})
    runner = CliRunner()
    blocked = runner.invoke(main, ["plan", str(project), "--detailed-exitcode"])
    assert blocked.exit_code == 1, blocked.output
    assert SANDBOX_STRIPE_KEY not in blocked.output and OTHER_KEY not in blocked.output
    result = runner.invoke(main, ["plan", str(project), "--output", "json"])
    findings = json.loads(result.stdout)["findings"]
    assert {
        (f["address"].partition(".")[0], f["address"].partition(".")[2], f["severity"])
        for f in findings
    } == {("stripe_app", "stripe", "error")}
    return [(f["message"], f["fix"]) for f in findings]


def test_a_key_of_the_other_mode_than_declared(world: World, project: Path) -> None:
    world.stripe_app()
    assert app_findings(project, livemode=True) == [
        (
            "the key is a test-mode key, but spec.livemode is True",
            "use a key of the declared mode, or correct spec.livemode",
        )
    ]


def test_a_deleted_webhook_endpoint_cannot_be_re_enabled(world: World, project: Path) -> None:
    world.stripe_app()
    [endpoint] = world.stripe("GET", "/webhook_endpoints")["data"]
    world.admin("DELETE", f"/stripe/webhook-endpoints/{endpoint['id']}")
    assert app_findings(project) == [
        (
            "the Stripe webhook endpoint Konnect relies on for checkout completion and invoice "
            "events is missing",
            "reinstall the app in Konnect, which creates the endpoint anew (one added in the "
            "Stripe Dashboard cannot work: only Konnect knows its secret); the new app has a new "
            "id, and a billing profile's app cannot change, so `reconcile plan` then shows its "
            "profiles replaced (or blocked while customer links bill through them)",
        )
    ]


def test_a_key_that_does_not_read_its_account(
    world: World, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.stripe_app()
    world.admin("POST", "/stripe/keys", {"key": OTHER_KEY})
    world.admin("POST", "/stripe/keys/revoke", {"key": OTHER_KEY})
    monkeypatch.setenv("STRIPE_API_KEY", OTHER_KEY)
    # Konnect holds a key that still works: only the manifest's key is refused.
    assert app_findings(project) == [UNREADABLE]


def test_konnect_reports_the_app_unauthorized_when_its_key_is_revoked(
    world: World, project: Path
) -> None:
    world.stripe_app()
    world.admin("POST", "/stripe/keys/revoke", {"key": SANDBOX_STRIPE_KEY})
    assert app_findings(project) == [UNREADABLE, UNAUTHORIZED]


def test_a_restricted_live_key_is_live_by_its_prefix_even_unable_to_read_tax_settings(
    served_project: Path, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_key = "rk_live_" + "restricted" + "0" * 16
    admin.post("/stripe/keys", json={"key": live_key, "account": "acct_1LiveTenant"})
    admin.put("/faults", json={"route_faults": {"GET /v1/tax/settings": 403}})
    monkeypatch.setenv("STRIPE_API_KEY", live_key)
    (served_project / "reconcile.yaml").write_text(
        (served_project / "reconcile.yaml").read_text() + "default_target: local\n"
    )
    write_manifests(
        served_project, {**STRIPE_APP, "spec": {**STRIPE_APP["spec"], "livemode": False}}
    )
    result = CliRunner().invoke(main, ["plan", str(served_project), "--output", "json"])
    assert result.exit_code == 1, result.output
    findings = [(f["message"], f["fix"]) for f in json.loads(result.stdout)["findings"]]
    assert (
        "the key is a live-mode key, but spec.livemode is False",
        "use a key of the declared mode, or correct spec.livemode",
    ) in findings
    assert json.loads(result.stdout)["notes"][0].endswith("Stripe live mode)")
    assert live_key not in result.output
