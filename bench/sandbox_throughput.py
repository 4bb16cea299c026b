"""How many requests per second the sandbox serves, and whether a list page costs the same at
any number of customers.

For each number of customers (`--customers 1000,10000`) it starts `reconcile sandbox serve` as a
separate process on a free loopback port (so the load generator does not share its
interpreter), seeds that many Konnect and Stripe customers through the admin API, then drives
each scenario with a bounded number of concurrent keep-alive httpx clients for a few seconds:
Konnect list pages (every page number in turn), Stripe list pages (every cursor in turn), and
the customer and billing GETs. When the Konnect routes are missing, it measures an admin
document GET instead and says so.

One Python process of httpx clients tops out below what the sandbox serves, so the clients are
spread over `--processes` processes, and the table also shows the sandbox process's CPU per
request: what a request costs the server, whatever the clients and the machine's load add to
its latency. The last lines compare a list page's cost at the smallest and largest N.

    python bench/sandbox_throughput.py [--customers 1000,10000] [--seconds 3] [--concurrency 8]
                                       [--processes 2]
    python bench/sandbox_throughput.py --quick      # 100 and 300 customers, 1 s each

Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from measuring import load_now, machine  # beside this script

from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.sandbox.ids import new_ulid, stripe_id

STRIPE_KEY = "sk_test_" + "benchmark" + "0" * 20
KONNECT = "/v3/openmeter"
CUSTOMERS = "konnect.customers"
STRIPE_CUSTOMERS = "stripe.customers"
SEED_BATCH = 500
PAGE_SIZE = 100
WARM_UP_SECONDS = 0.5


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: list[str]  # requested in turn, round robin
    headers: dict[str, str]


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    server_cpu_seconds: float | None

    def row(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        rate = self.requests / self.seconds
        cpu = self.cpu_ms_per_request()
        per_cpu = f"{cpu:>11.2f}" if cpu is not None else f"{'n/a':>11}"
        return (
            f"{self.name:<34} {self.requests:>9} {self.errors:>7} {rate:>8.0f}"
            f" {p50:>8.2f} {p99:>8.2f} {per_cpu} {load_now():>5.2f}"
        )

    def cpu_ms_per_request(self) -> float | None:
        """The sandbox process's CPU per request served, in milliseconds."""
        if not self.server_cpu_seconds or not self.requests:
            return None
        return self.server_cpu_seconds * 1000 / self.requests

    def p50_ms(self) -> float:
        return statistics.median(self.latencies or [0.0]) * 1000


HEADER = (
    f"{'scenario':<34} {'requests':>9} {'errors':>7} {'req/s':>8}"
    f" {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'load':>5}"
)


def main() -> None:
    options = _parse_args()
    print(machine(), flush=True)
    print(
        f"{options.concurrency} concurrent httpx clients in {options.processes} processes,"
        f" {options.seconds:g} s per scenario",
        flush=True,
    )
    lists: dict[int, list[Result]] = {}
    for customers in options.customers:
        with tempfile.TemporaryDirectory() as workdir, SandboxProcess(Path(workdir)) as sandbox:
            with httpx.Client(base_url=sandbox.url) as client:
                scenarios, note = _seed(client, customers)
            print(f"\n{customers:,} customers", flush=True)
            if note:
                print(note)
            print(HEADER, flush=True)
            results = []
            for scenario in scenarios:
                result = _measure(sandbox, scenario, options)
                print(result.row(), flush=True)
                results.append(result)
        lists[customers] = [r for r in results if r.name.endswith("page)")]
    _compare(lists)
    print(machine(), flush=True)


def _compare(lists: dict[int, list[Result]]) -> None:
    """A list page at the smallest N against the largest: server CPU and p50 latency."""
    smallest, largest = min(lists), max(lists)
    if smallest == largest:
        return
    print(f"\nlist page, {smallest:,} against {largest:,} customers:")
    for small, large in zip(lists[smallest], lists[largest], strict=True):
        cpu_small, cpu_large = small.cpu_ms_per_request(), large.cpu_ms_per_request()
        cpu = (
            f"CPU {cpu_small:.2f} vs {cpu_large:.2f} ms ({cpu_large / cpu_small - 1:+.0%})"
            if cpu_small and cpu_large
            else "CPU n/a"
        )
        p50_small, p50_large = small.p50_ms(), large.p50_ms()
        print(
            f"  {small.name:<40} {cpu}, p50 {p50_small:.1f} vs {p50_large:.1f} ms "
            f"({p50_large / p50_small - 1:+.0%})"
        )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Requests/second the sandbox serves.")
    parser.add_argument("--customers", default="1000,10000", help="comma-separated sizes")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8, help="clients in all")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--quick", action="store_true", help="100 and 300 customers, 1 s")
    options = parser.parse_args()
    if options.quick:
        options.customers, options.seconds = "100,300", 1.0
    options.customers = [int(text) for text in options.customers.split(",")]
    options.processes = max(1, min(options.processes, options.concurrency))
    return options


# --- the sandbox under test --------------------------------------------------------------------


class SandboxProcess:
    """`reconcile sandbox serve` in a child process on a free port, stopped (SIGTERM) on exit."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            *(sys.executable, "-m", "reconciler", "sandbox", "serve"),
            *("--port", str(self.port), "--db", str(workdir / "bench.db")),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SandboxProcess:
        env = {key: value for key, value in os.environ.items() if "TOKEN" not in key}
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/_sandbox/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("the sandbox did not start")

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the sandbox process so far (Linux), else None."""
        if self.process is None:
            return None
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- seeding -----------------------------------------------------------------------------------


def _seed(client: httpx.Client, count: int) -> tuple[list[Scenario], str | None]:
    konnect = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}
    first = client.post(
        KONNECT + "/customers", json={"key": "bench-0", "name": "Bench 0"}, headers=konnect
    )
    if first.status_code >= 300:
        note = (
            f"note: Konnect customers answered {first.status_code};"
            " measured admin document GETs instead"
        )
        return _admin_only(client, count), note
    _install_stripe_app(client, konnect)
    template = client.get(f"/_sandbox/collections/{CUSTOMERS}/{first.json()['id']}").json()
    ids = [template["id"], *_clone_customers(client, template, count - 1)]
    random.shuffle(ids)
    pages = range(1, max(1, count // PAGE_SIZE) + 1)
    stripe = {"Authorization": f"Bearer {STRIPE_KEY}"}
    return [
        Scenario(
            f"GET /v3 customers ({PAGE_SIZE} per page)",
            [f"{KONNECT}/customers?page[size]={PAGE_SIZE}&page[number]={n}" for n in pages],
            konnect,
        ),
        Scenario(
            f"GET /v1/customers ({PAGE_SIZE} per page)",
            _stripe_pages(client, stripe, count),
            stripe,
        ),
        Scenario("GET /customers/{id}", [f"{KONNECT}/customers/{id}" for id in ids], konnect),
        Scenario(
            "GET /customers/{id}/billing",
            [f"{KONNECT}/customers/{id}/billing" for id in ids],
            konnect,
        ),
    ], None


def _install_stripe_app(client: httpx.Client, konnect: dict[str, str]) -> None:
    """A default billing profile, so every customer has an effective billing profile."""
    install = {"type": "stripe", "name": "Stripe", "create_billing_profile": True}
    # The sandbox opens no account for a key nobody registered, as Stripe would not.
    client.post("/_sandbox/stripe/keys", json={"key": STRIPE_KEY}).raise_for_status()
    response = client.post(
        KONNECT + "/app-catalog/install", json={**install, "api_key": STRIPE_KEY}, headers=konnect
    )
    response.raise_for_status()


def _stripe_pages(client: httpx.Client, headers: dict[str, str], count: int) -> list[str]:
    """Stripe customers cloned from one the API created, and the path of every page of their
    list, each after its cursor (as the planner reads them, invoice-default card expanded)."""
    created = client.post("/v1/customers", data={"name": "Bench 0"}, headers=headers)
    created.raise_for_status()
    template = client.get(f"/_sandbox/collections/{STRIPE_CUSTOMERS}/{created.json()['id']}")
    for batch in _batches(list(range(1, count)), SEED_BATCH):
        documents = [
            {**template.json(), "id": stripe_id("cus", 14), "name": f"Bench {n}"} for n in batch
        ]
        seeded = client.post(
            f"/_sandbox/collections/{STRIPE_CUSTOMERS}", json={"documents": documents}
        )
        seeded.raise_for_status()
    first = f"/v1/customers?limit={PAGE_SIZE}&expand[]=data.invoice_settings.default_payment_method"
    paths = [first]
    while True:
        page = client.get(paths[-1], headers=headers).json()
        if not page["has_more"]:
            return paths
        paths.append(f"{first}&starting_after={page['data'][-1]['id']}")


def _clone_customers(client: httpx.Client, template: dict[str, Any], count: int) -> list[str]:
    """Copies of one API-created customer, stored through the admin API in batches."""
    ids = []
    for batch in _batches(list(range(1, count + 1)), SEED_BATCH):
        documents = []
        for number in batch:
            id = new_ulid()
            ids.append(id)
            documents.append({**template, "id": id, "key": f"bench-{number}"})
        seeded = client.post(f"/_sandbox/collections/{CUSTOMERS}", json={"documents": documents})
        seeded.raise_for_status()
    return ids


def _admin_only(client: httpx.Client, count: int) -> list[Scenario]:
    documents = [{"id": f"doc-{number}", "n": number} for number in range(count)]
    for batch in _batches(documents, SEED_BATCH):
        client.post("/_sandbox/collections/bench.docs", json={"documents": batch})
    paths = [f"/_sandbox/collections/bench.docs/doc-{n}" for n in range(count)]
    return [Scenario("GET /_sandbox/collections/{c}/{id}", paths, {})]


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- load --------------------------------------------------------------------------------------


def _measure(sandbox: SandboxProcess, scenario: Scenario, options: argparse.Namespace) -> Result:
    """Every client process starts at the same moment and stops at the same deadline."""
    start_at = time.time() + WARM_UP_SECONDS
    shares = [options.concurrency // options.processes] * options.processes
    for index in range(options.concurrency % options.processes):
        shares[index] += 1
    cpu_before = sandbox.cpu_seconds()
    with ProcessPoolExecutor(options.processes) as pool:
        futures = [
            pool.submit(
                _client_process, sandbox.url, scenario, share, offset, start_at, options.seconds
            )
            for offset, share in enumerate(shares)
        ]
        outcomes = [future.result() for future in futures]
    cpu_after = sandbox.cpu_seconds()
    latencies = [latency for outcome in outcomes for latency in outcome[0]]
    server_cpu = None
    if cpu_before is not None and cpu_after is not None:
        # Starting the client processes costs the sandbox nothing; the warm-up is idle time.
        server_cpu = cpu_after - cpu_before
    return Result(
        scenario.name,
        len(latencies),
        sum(outcome[1] for outcome in outcomes),
        options.seconds,
        latencies,
        server_cpu,
    )


def _client_process(
    url: str, scenario: Scenario, clients: int, offset: int, start_at: float, seconds: float
) -> tuple[list[float], int]:
    return asyncio.run(_drive(url, scenario, clients, offset, start_at, seconds))


async def _drive(
    url: str, scenario: Scenario, clients: int, offset: int, start_at: float, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    paths = scenario.paths
    deadline = start_at + seconds

    async def client(number: int) -> None:
        nonlocal errors
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, headers=scenario.headers, limits=limits) as http:
            await http.get("/_sandbox/health")  # connect before the clock starts
            await asyncio.sleep(max(0.0, start_at - time.time()))
            turn = (offset * 7919 + number * 104729) % len(paths)
            while time.time() < deadline:
                started = time.perf_counter()
                response = await http.get(paths[turn])
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 400
                turn = (turn + 1) % len(paths)

    await asyncio.gather(*(client(number) for number in range(clients)))
    return latencies, errors


if __name__ == "__main__":
    main()
