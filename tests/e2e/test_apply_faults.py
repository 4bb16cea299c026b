"""Apply against a sandbox that fails requests and cuts answers after committing writes.

With a fixed seed the same faults meet the same requests. Whatever happens, re-running apply
must end with exactly the declared objects: none missing, none twice. The sandbox's request
log shows how: no create is ever answered 409 (a blind resend of one that was committed), and
a create whose answer was lost or failed is looked up before it is sent again.
"""

from __future__ import annotations

import re
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
# Each create route, the lookup that finds what it may have created, and how many it makes.
CREATES = {
    "POST /v3/openmeter/app-catalog/install": ("GET /v3/openmeter/apps", 1),
    "POST /v3/openmeter/tax-codes": ("GET /v3/openmeter/tax-codes", 1),
    "POST /v3/openmeter/profiles": ("GET /v3/openmeter/profiles", 2),
    "POST /v3/openmeter/customers": ("GET /v3/openmeter/customers", CUSTOMERS),
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    config = SandboxConfig(db_path=tmp_path / "sandbox.db", request_log_size=100_000)
    with SandboxServer(config) as running:
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


def apply(project: Path, parallelism: int) -> Result:
    args = ["apply", str(project), "--target", "faulty", "--auto-approve"]
    return CliRunner().invoke(main, [*args, "--parallelism", str(parallelism)])


def apply_until_converged(
    server: SandboxServer,
    project: Path,
    *,
    seed: int,
    parallelism: int,
    first_run: dict[str, int] | None = None,
) -> tuple[list[Result], list[dict[str, Any]]]:
    """The runs, until one succeeds, and the sandbox's log of every request they made.

    `first_run` holds route faults for the first run only.
    """
    admin(server, "DELETE", "/requests")
    admin(server, "DELETE", "/stats")
    admin(server, "PATCH", "/faults", {**FAULTS, "seed": seed, "route_faults": first_run or {}})
    runs = [apply(project, parallelism)]
    admin(server, "PATCH", "/faults", {"route_faults": {}})
    while runs[-1].exit_code != 0 and len(runs) < MAX_RUNS:
        runs.append(apply(project, parallelism))
    admin(server, "PUT", "/faults", {})
    assert runs[-1].exit_code == 0, runs[-1].output
    log: list[dict[str, Any]] = admin(server, "GET", "/requests")["data"]
    assert len(log) == admin(server, "GET", "/stats")["total"], "the request log overflowed"
    assert any(entry["fault"] == "drop" for entry in log), "no write was cut off"
    return runs, log


def route(entry: dict[str, Any]) -> str:
    return f"{entry['method']} {entry['route']}"


def uncertain(entry: dict[str, Any]) -> bool:
    """A write that may or may not have happened: its answer was cut off, or a 5xx."""
    return entry["fault"] == "drop" or (entry["status"] or 0) >= 500


def assert_exactly_the_declared_objects(
    log: list[dict[str, Any]], world: World, project: Path
) -> None:
    creates = [e for e in log if route(e) in CREATES]
    # A blind resend of a committed customer or tax code is answered 409 (its key is taken).
    assert [e for e in creates if e["status"] == 409] == []
    committed = Counter(route(e) for e in creates if e["status"] is not None and e["status"] < 300)
    assert committed == Counter({create: count for create, (_, count) in CREATES.items()})
    konnect = world.konnect
    keys = Counter(c["key"] for c in konnect("GET", "/customers?page[size]=100")["data"])
    assert keys == Counter({f"customer-{n}": 1 for n in range(CUSTOMERS)})
    profiles = Counter(p["name"] for p in konnect("GET", "/profiles")["data"])
    assert profiles == Counter({"main": 1, "invoiced": 1})
    apps = [a for a in konnect("GET", "/apps")["data"] if a["type"] == "stripe"]
    assert len(apps) == 1
    codes = [c["key"] for c in konnect("GET", "/tax-codes")["data"] if c["key"] == "saas"]
    assert codes == ["saas"]
    plan = CliRunner().invoke(
        main, ["plan", str(project), "--target", "faulty", "--detailed-exitcode"]
    )
    assert plan.exit_code == 0, plan.output


def unlooked_resends(log: list[dict[str, Any]]) -> list[str]:
    """Creates sent again after an uncertain attempt with no lookup of their kind between.

    Exact only when one write runs at a time: then the next request of a create's kind after
    an uncertain attempt is that create's own.
    """
    problems = []
    for index, entry in enumerate(log):
        if route(entry) not in CREATES or not uncertain(entry):
            continue
        lookup = CREATES[route(entry)][0]
        for later in log[index + 1 :]:
            if route(later) == lookup:
                break
            if route(later) == route(entry):
                problems.append(f"{route(entry)} at {entry['at']} resent without a lookup")
                break
    return problems


@pytest.mark.parametrize("seed", [3, 11])
def test_concurrent_apply_under_faults_converges_without_duplicates(
    tmp_path: Path, server: SandboxServer, world: World, seed: int
) -> None:
    project = project_on(server, tmp_path / "manifests", world)
    _, log = apply_until_converged(server, project, seed=seed, parallelism=4)
    assert_exactly_the_declared_objects(log, world, project)


def test_a_run_that_fails_for_good_is_converged_by_reruns_that_look_up_before_resending(
    tmp_path: Path, server: SandboxServer, world: World
) -> None:
    project = project_on(server, tmp_path / "manifests", world)
    # Every profile create fails, after its lookups: the links that need a profile are skipped.
    runs, log = apply_until_converged(
        server, project, seed=5, parallelism=1, first_run={"POST /v3/openmeter/profiles": 503}
    )
    # The profiles (or, when random faults got it first, the app they need) fail for good.
    assert runs[0].exit_code == 1
    summary = runs[0].stdout.splitlines()[-1]
    assert re.fullmatch(r"Apply failed! .*; \d+ failed, \d+ skipped\.", summary), summary
    assert len(runs) >= 2
    assert any(route(e) in CREATES and uncertain(e) for e in log), "no create was uncertain"
    assert unlooked_resends(log) == []
    assert_exactly_the_declared_objects(log, world, project)
