"""What apply asks of Konnect per new customer link: three writes, no lookup first.

The customer's key is unique in Konnect, so its create needs no lookup right before it: a
409 says the key is taken (see tests/engine/applying/test_applier.py), and a create whose
answer was lost is looked up before it is sent again (tests/e2e/test_apply_faults.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.server import SandboxServer
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

NEW_LINKS = 5
PROFILE = manifest(
    "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)


@pytest.fixture
def world(sandbox_config: SandboxConfig, sandbox_server: SandboxServer) -> Iterator[World]:
    with TestClient(create_app(sandbox_config)) as client:
        yield World(client)


def requests_of(server: SandboxServer, *args: str) -> Counter[str]:
    """The requests that `reconcile ARGS` made of the sandbox, per route."""
    with httpx.Client(base_url=f"{server.url}/_sandbox") as admin:
        admin.delete("/stats").raise_for_status()
        result = CliRunner().invoke(main, [*args, "--target", "local"])
        assert result.exit_code in (0, 2), result.output
        counts: dict[str, int] = admin.get("/stats").json()["requests"]
    return Counter(counts)


def test_a_new_link_costs_three_requests(
    served_project: Path, sandbox_server: SandboxServer, world: World
) -> None:
    app = world.stripe_app()
    world.profile(app, "main", default=True)
    card_holder = world.stripe_customer(**{"address[country]": "US"})
    world.card(card_holder)
    links: list[dict[str, Any]] = [
        manifest(
            "CustomerBilling",
            f"c{n}",
            {"customer": {"key": f"c{n}", "name": f"C{n}"}, "stripe": {"customer_id": card_holder}},
        )
        for n in range(NEW_LINKS)
    ]
    write_manifests(served_project, STRIPE_APP, PROFILE, *links)
    reads = requests_of(sandbox_server, "plan", str(served_project))
    applied = requests_of(sandbox_server, "apply", str(served_project), "--auto-approve")
    writes = applied - reads
    assert writes == {
        "POST /v3/openmeter/customers": NEW_LINKS,
        "PUT /v3/openmeter/customers/{customer_id}/billing": NEW_LINKS,
        "PUT /v3/openmeter/customers/{customer_id}": NEW_LINKS,
    }
    assert reads - applied == Counter()  # apply read what the plan read, nothing more
