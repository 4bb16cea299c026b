"""Properties: for any desired state, planning right after it was applied shows no changes.

The first property seeds the state as apply would write it (it checks normalisation alone);
the second runs the real `apply`, from another random state, so it checks apply as well.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.targets import SANDBOX_DB
from tests.e2e.seeding import seed
from tests.e2e.worlds import STRIPE_APP, World, declare_sandbox, manifest, write_manifests

# Different spellings of equal durations: the server re-renders them all.
DURATIONS = ["P0D", "PT0S", "PT1H", "PT60M", "P1D", "P2W", "P14D", "PT90M", "P1M", "PT720H"]
NAMES = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
# Label keys get a prefix no reserved one (kong, kic, mesh, ...) starts with.
LABELS = st.dictionaries(NAMES.map(lambda name: "l" + name), NAMES, max_size=2)
STRIPE_TAX_CODES = ["txcd_10000000", "txcd_10103000", "txcd_10103001", "txcd_10101000"]


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, Any]:
    workflow: dict[str, Any] = {}
    if draw(st.booleans()):
        workflow["collection"] = {"interval": draw(st.sampled_from(DURATIONS))}
    if draw(st.booleans()):
        workflow["invoicing"] = {
            "auto_advance": draw(st.booleans()),
            "draft_period": draw(st.sampled_from(DURATIONS)),
        }
    if draw(st.booleans()):
        workflow["payment"] = {
            "collection_method": "send_invoice",
            "due_after": draw(st.sampled_from(DURATIONS)),
        }
    if draw(st.booleans()):
        enabled = draw(st.booleans())
        workflow["tax"] = {"enabled": enabled, "enforced": enabled and draw(st.booleans())}
    return workflow


@st.composite
def desired_states(draw: st.DrawFn, least_profiles: int = 1) -> list[dict[str, Any]]:
    documents = [STRIPE_APP]
    for index in range(draw(st.integers(0, 2))):
        uses = ["invoicing"] if index == 0 and draw(st.booleans()) else []
        spec: dict[str, Any] = {
            "key": f"code_{index}",
            "stripe_tax_code": draw(st.sampled_from(STRIPE_TAX_CODES)),
        }
        if uses:
            spec["organization_default_for"] = uses
        documents.append(manifest("TaxCode", f"code-{index}", spec, labels=draw(LABELS)))
    profile_count = draw(st.integers(least_profiles, 3))
    default = draw(st.integers(0, profile_count - 1))
    for index in range(profile_count):
        spec = {
            "default": index == default,
            "app": "stripe",
            "supplier": {
                "name": draw(NAMES),
                "addresses": {"billing_address": {"country": draw(st.sampled_from(["US", "DE"]))}},
            },
            "workflow": draw(workflows()),
        }
        documents.append(manifest("BillingProfile", f"profile-{index}", spec, labels=draw(LABELS)))
    for index in range(draw(st.integers(0, 3))):
        link: dict[str, Any] = {
            "customer": {"key": f"customer-{index}", "name": draw(NAMES)},
            "stripe": {"customer_id": f"cus_Link{index}"},
        }
        if draw(st.booleans()):
            link["billing_profile"] = f"profile-{draw(st.integers(0, profile_count - 1))}"
        if draw(st.booleans()):
            link["customer"]["currency"] = draw(st.sampled_from(["USD", "EUR"]))
        if draw(st.booleans()):
            link["stripe"]["default_payment_method_id"] = f"pm_Card{index}"
        documents.append(manifest("CustomerBilling", f"customer-{index}", link))
    return documents


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(documents=desired_states())
def test_plan_after_apply_has_no_changes(
    documents: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with tempfile.TemporaryDirectory() as temporary:
        project = declare_sandbox(Path(temporary) / "manifests")
        (project / SANDBOX_DB).parent.mkdir(parents=True)
        app = create_app(SandboxConfig(db_path=project / SANDBOX_DB))
        with TestClient(app, base_url="http://sandbox.test") as client:
            seed(World(client), documents)
        write_manifests(project, *documents)
        result = CliRunner().invoke(
            main, ["plan", str(project), "--output", "json", "--skip-stripe-checks"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        changing = [a for a in data["actions"] if a["type"] != "no-op"]
        assert changing == []


@st.composite
def transitions(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two states; the second keeps at least the first's profiles, since Konnect refuses to
    delete a profile customers are pinned to (tested on its own in test_apply.py)."""
    before = draw(desired_states())
    profiles = sum(1 for d in before if d["kind"] == "BillingProfile")
    return before, draw(desired_states(least_profiles=profiles))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(states=transitions())
def test_apply_from_any_state_then_plan_has_no_changes(
    states: tuple[list[dict[str, Any]], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with tempfile.TemporaryDirectory() as temporary:
        project = declare_sandbox(Path(temporary) / "manifests")
        for documents in states:
            write_manifests(project, *documents)
            applied = CliRunner().invoke(
                main, ["apply", str(project), "--auto-approve", "--skip-stripe-checks"]
            )
            assert applied.exit_code == 0, applied.output
        planned = CliRunner().invoke(
            main, ["plan", str(project), "--detailed-exitcode", "--skip-stripe-checks"]
        )
        assert planned.exit_code == 0, planned.output
