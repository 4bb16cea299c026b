"""The applier between plan and write: an object changed in the meantime is not overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from reconciler.core.kind import Writer
from reconciler.engine.applying.applier import Applier
from reconciler.engine.applying.apply_report import ApplyStatus
from reconciler.engine.applying.executor import execute
from reconciler.engine.planning.planner import PlanOptions, make_plan
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.sandbox.server import SandboxServer
from reconciler.targets import connect
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, manifest, write_manifests

PROFILE = manifest(
    "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)
LINK = manifest(
    "CustomerBilling",
    "acme",
    {
        "customer": {"key": "acme", "name": "Acme"},
        "billing_profile": "main",
        "stripe": {"customer_id": "cus_Acme"},
    },
)
TAX_CODE = manifest("TaxCode", "saas", {"key": "saas", "stripe_tax_code": "txcd_10103001"})


@pytest.fixture
def project(served_project: Path) -> Path:
    return served_project


def konnect(server: SandboxServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.url + "/v3/openmeter",
        headers={"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"},
    )


def apply_after(project: Path, meddle: Callable[[], object]) -> dict[str, ApplyStatus]:
    manifests = load_manifests(project)
    with connect(manifests, "local") as connection:
        sources, secrets = connection.sources, connection.secrets
        options = PlanOptions(stripe_checks=False)
        plan, world = make_plan(manifests, RESOURCES, sources, secrets, options)
        meddle()
        applier = Applier(RESOURCES, world, Writer(sources.konnect, secrets, world))
        report = execute(plan.actions, applier.perform, precondition=applier.precondition)
    return {str(o.address): o.status for o in report.outcomes}


def test_an_object_created_meanwhile_is_a_conflict_and_its_dependants_skip(
    project: Path, sandbox_server: SandboxServer
) -> None:
    write_manifests(project, STRIPE_APP, PROFILE, LINK)
    with konnect(sandbox_server) as client:
        statuses = apply_after(
            project, lambda: client.post("/customers", json={"key": "acme", "name": "Someone"})
        )
        [customer] = client.get("/customers").json()["data"]
    assert statuses == {
        "stripe_app.stripe": ApplyStatus.DONE,
        "billing_profile.main": ApplyStatus.DONE,
        "customer_billing.acme": ApplyStatus.CONFLICT,
    }
    assert customer["name"] == "Someone"


def test_an_object_changed_meanwhile_is_not_overwritten(
    project: Path, sandbox_server: SandboxServer
) -> None:
    write_manifests(project, STRIPE_APP, TAX_CODE)
    assert apply_after(project, lambda: None)["tax_code.saas"] is ApplyStatus.DONE
    renamed = {**TAX_CODE, "spec": {**TAX_CODE["spec"], "name": "SaaS"}}
    write_manifests(project, STRIPE_APP, renamed)
    with konnect(sandbox_server) as client:
        [code] = [c for c in client.get("/tax-codes").json()["data"] if c["key"] == "saas"]
        edit = {"name": "edited", "app_mappings": code["app_mappings"]}
        statuses = apply_after(project, lambda: client.put(f"/tax-codes/{code['id']}", json=edit))
        after = client.get(f"/tax-codes/{code['id']}").json()
    assert statuses == {"tax_code.saas": ApplyStatus.CONFLICT}
    assert after["name"] == "edited"
