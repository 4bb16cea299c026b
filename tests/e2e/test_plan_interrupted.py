"""Ctrl-C during a plan's live reads: reads still queued never start, the command stops once
the reads in flight are answered."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.server import SandboxServer
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, manifest, write_manifests

BILLING_GET = "GET /v3/openmeter/customers/{customer_id}/billing"
LINKS = 300
CONCURRENCY = 8
LATENCY_MS = 100
# Billing GETs answered before Ctrl-C: the plan is well into its reads by then.
BEFORE_CTRL_C = 2 * CONCURRENCY


def billing_gets(admin: httpx.Client) -> int:
    count: int = admin.get("/stats").json()["requests"].get(BILLING_GET, 0)
    return count


def seed_linked_customers(served_project: Path, admin: httpx.Client) -> None:
    """LINKS Konnect customers, stored at once, and a manifest declaring a link for each."""
    customers = [
        {"id": new_ulid(), "key": f"c{n}", "name": f"C{n}", "labels": {}} for n in range(LINKS)
    ]
    admin.post("/collections/konnect.customers", json={"documents": customers}).raise_for_status()
    profile = manifest(
        "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    links = [
        manifest(
            "CustomerBilling",
            f"c{n}",
            {"customer": {"key": f"c{n}"}, "stripe": {"customer_id": "cus_Linked0"}},
        )
        for n in range(LINKS)
    ]
    write_manifests(served_project, STRIPE_APP, profile, *links)


@pytest.fixture
def ctrl_c(sandbox_server: SandboxServer) -> Iterator[list[int]]:
    """Sends SIGINT to the main thread, as Ctrl-C does, once BEFORE_CTRL_C billing GETs are
    answered; the list gets the number answered when it was sent."""
    answered_then: list[int] = []
    done = threading.Event()

    def watch() -> None:
        with httpx.Client(base_url=sandbox_server.url + "/_sandbox") as admin:
            while not done.wait(0.005):
                if (count := billing_gets(admin)) >= BEFORE_CTRL_C:
                    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
                    answered_then.append(count)
                    return

    watcher = threading.Thread(target=watch, name="ctrl-c")
    watcher.start()
    yield answered_then
    done.set()
    watcher.join()


def test_ctrl_c_during_the_billing_reads_cancels_those_still_queued(
    served_project: Path, admin: httpx.Client, ctrl_c: list[int]
) -> None:
    seed_linked_customers(served_project, admin)
    admin.patch("/faults", json={"latency_ms": LATENCY_MS}).raise_for_status()
    args = ["plan", str(served_project), "--target", "local"]
    args += ["--skip-stripe-checks", "--concurrency", str(CONCURRENCY)]
    result = CliRunner().invoke(main, args)
    [answered_at_ctrl_c] = ctrl_c
    assert result.exit_code == 1
    assert "Aborted!" in result.stderr
    served = billing_gets(admin)
    # Those answered before Ctrl-C, those in flight then, and at most a round started while
    # the signal reached the main thread; not the hundreds still queued.
    assert served <= answered_at_ctrl_c + 2 * CONCURRENCY < LINKS // 4
    time.sleep(3 * LATENCY_MS / 1000)
    assert billing_gets(admin) == served, "reads went on after the command ended"
