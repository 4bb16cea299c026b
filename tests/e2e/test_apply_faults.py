"""Apply against a sandbox that fails requests and cuts answers after committing writes.

With a fixed seed the same faults meet the same requests. Whatever happens, re-running apply
must end with exactly the declared objects: none missing, none twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.server import SandboxServer
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

CUSTOMERS = 12
MAX_RUNS = 8
FAULTS = {"fault_rate": 0.2, "drop_rate": 0.25, "retry_after_seconds": 0}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(db_path=tmp_path / "sandbox.db")) as running:
        yield running


@pytest.fixture
def world(tmp_path: Path, server: SandboxServer) -> Iterator[World]:
    # The same database, without faults: the test's own set-up and checks never fail.
    with TestClient(create_app(SandboxConfig(db_path=tmp_path / "sandbox.db"))) as client:
        yield World(client)


def project_on(server: SandboxServer, directory: Path, world: World) -> Path:
    (directory / "reconcile.yaml").parent.mkdir(parents=True, exist_ok=True)
    (directory / "reconcile.yaml").write_text(
        f"targets:\n  faulty:\n    type: sandbox\n    url: {server.url}\n"
    )
    card_holder = world.stripe_customer(**{"address[country]": "US"})
    world.card(card_holder)
    links = [
        manifest(
            "CustomerBilling",
            f"customer-{n}",
            {
                "customer": {"key": f"customer-{n}", "name": f"Customer {n}"},
                "billing_profile": "invoiced" if n % 3 == 0 else None,
                "stripe": {"customer_id": card_holder},
            },
        )
        for n in range(CUSTOMERS)
    ]
    for link in links:
        if link["spec"]["billing_profile"] is None:
            del link["spec"]["billing_profile"]
    return write_manifests(
        directory,
        STRIPE_APP,
        manifest("TaxCode", "saas", {"key": "saas", "stripe_tax_code": "txcd_10103001"}),
        manifest(
            "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
        ),
        manifest(
            "BillingProfile",
            "invoiced",
            {
                "app": "stripe",
                "supplier": SUPPLIER,
                "workflow": {"payment": {"collection_method": "send_invoice"}},
            },
        ),
        *links,
    )


def admin(server: SandboxServer, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(method, f"{server.url}/_sandbox{path}", json=body)
    response.raise_for_status()
    return response.json() if response.content else None


def apply(project: Path) -> Result:
    return CliRunner().invoke(
        main, ["apply", str(project), "--target", "faulty", "--auto-approve", "--parallelism", "4"]
    )


@pytest.mark.parametrize("seed", [3, 11])
def test_apply_under_faults_converges_without_duplicates(
    tmp_path: Path, server: SandboxServer, world: World, seed: int
) -> None:
    project = project_on(server, tmp_path / "manifests", world)
    admin(server, "PATCH", "/faults", {**FAULTS, "seed": seed})
    runs = [apply(project)]
    while runs[-1].exit_code != 0 and len(runs) < MAX_RUNS:
        runs.append(apply(project))
    assert runs[-1].exit_code == 0, runs[-1].output
    log = admin(server, "GET", "/requests")["data"]
    admin(server, "PUT", "/faults", {})

    assert any(entry["fault"] == "drop" for entry in log), "no write was cut off"
    konnect = world.konnect
    keys = Counter(c["key"] for c in konnect("GET", "/customers?page[size]=100")["data"])
    assert keys == Counter({f"customer-{n}": 1 for n in range(CUSTOMERS)})
    profiles = Counter(p["name"] for p in konnect("GET", "/profiles")["data"])
    assert profiles == Counter({"main": 1, "invoiced": 1})
    apps = [a for a in konnect("GET", "/apps")["data"] if a["type"] == "stripe"]
    assert len(apps) == 1
    codes = [c["key"] for c in konnect("GET", "/tax-codes")["data"] if c["key"] == "saas"]
    assert codes == ["saas"]
    created = [e for e in log if e["method"] == "POST" and e["route"].endswith("/customers")]
    committed = [e for e in created if e["status"] is not None and e["status"] < 300]
    assert len(committed) == CUSTOMERS  # a cut-off create is found, never posted again

    plan = CliRunner().invoke(
        main, ["plan", str(project), "--target", "faulty", "--detailed-exitcode"]
    )
    assert plan.exit_code == 0, plan.output
