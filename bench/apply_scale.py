"""How close `reconcile apply` runs to a server's rate limit when creating many customer links.

For each N it serves a fresh sandbox (`reconcile sandbox serve`, its own process) that accepts
25 requests per second per API and adds 50 ms to every request, declares a Stripe app, a
default billing profile and N customer links (all to one Stripe customer with a card, so the
Stripe checks pass), and runs `reconcile apply --auto-approve` in a fresh process against it,
with the target's client-side rate limit set to the server's.

It prints N, the actions applied and how many failed, Konnect requests the server accepted and
how many per new link, 429s it answered, the requests the apply's clients sent again (429, 5xx,
broken connections; from their own counters), wall seconds, new links per second, accepted
requests per second and that as a fraction of the limit, the apply process's peak RSS, and the
load average. Wall time and links per second are min/median over `--repeat` runs (each on a
fresh world); the counts are the last run's.

    python bench/apply_scale.py [--sizes 1000,10000] [--repeat 1] [--rate-limit 25]
                                [--latency-ms 50] [--parallelism 8]
    python bench/apply_scale.py --quick     # N = 50 at 100 req/s: does it still work?

Figures, and what bounds them, are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from measuring import load_now, machine, spread  # beside this script

from reconciler.targets import SANDBOX_STRIPE_KEY

API_VERSION = "reconcile.konghq.dev/v1"
SUPPLIER = {"name": "ACME Inc.", "addresses": {"billing_address": {"country": "US"}}}
# Runs the CLI and writes to the file named by its first argument the process's own peak RSS
# (KiB on Linux) and the requests its API clients retried (429, 5xx, broken connections), from
# their counters. A file, not stderr: the CLI's own progress lines share stderr.
APPLY_RUNNER = """
import contextlib, json, pathlib, resource, sys
import reconciler.workflows.connecting as command
from reconciler.cli import main

connections = []
connect = command.connect

@contextlib.contextmanager
def counted(*args, **kwargs):
    with connect(*args, **kwargs) as connection:
        connections.append(connection)
        yield connection

command.connect = counted
counters_file = pathlib.Path(sys.argv[1])
try:
    main(sys.argv[2:])
finally:
    counters = [c.sources.konnect.counter for c in connections]
    counters += [c.sources.stripe.counter for c in connections]
    retries = sum(n for counter in counters for n in counter.retries().values())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counters_file.write_text(json.dumps({"rss_kib": rss, "retries": retries}))
"""


@dataclass(frozen=True)
class Figures:
    size: int
    actions: int
    failed: int
    konnect_requests: int
    rate_limited: int
    retries: int
    wall_seconds: float
    rate_limit: float
    peak_rss_mb: float

    @property
    def per_second(self) -> float:
        return self.konnect_requests / self.wall_seconds


def row(runs: list[Figures]) -> str:
    last = runs[-1]
    wall = spread([run.wall_seconds for run in runs])
    links = spread([run.size / run.wall_seconds for run in runs])
    share = last.per_second / last.rate_limit
    return (
        f"{last.size:>7} {last.actions:>8} {last.failed:>6} {last.konnect_requests:>8} "
        f"{last.konnect_requests / last.size:>8.2f} {last.rate_limited:>5} {last.retries:>7} "
        f"{wall.show():>15} {links.show(2):>11} {last.per_second:>7.2f} {share:>8.1%} "
        f"{max(run.peak_rss_mb for run in runs):>6.0f} {load_now():>5.2f}"
    )


HEADER = (
    f"{'N':>7} {'actions':>8} {'failed':>6} {'konnect':>8} {'req/link':>8} {'429s':>5} "
    f"{'retries':>7} {'wall s':>15} {'links/s':>11} {'req/s':>7} {'of limit':>8} "
    f"{'RSS MB':>6} {'load':>5}"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(directory: Path, port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [
        *(sys.executable, "-m", "reconciler", "sandbox", "serve"),
        *("--port", str(port), "--db", str(directory / "sandbox.db")),
        *("--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit)),
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/_sandbox/health"
    for _ in range(200):
        try:
            if httpx.get(url).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the sandbox did not start")


def card_holder(base_url: str) -> str:
    """One Stripe customer with an address and an invoice-default card."""
    headers = {"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"}
    with httpx.Client(base_url=base_url + "/v1", headers=headers) as stripe:
        customer = stripe.post("/customers", data={"email": "ap@example.com"}).json()["id"]
        method = stripe.post(
            "/payment_methods/pm_card_visa/attach", data={"customer": customer}
        ).json()["id"]
        address = {
            "billing_details[address][country]": "US",
            "billing_details[address][line1]": "1",
        }
        stripe.post(f"/payment_methods/{method}", data=address)
        stripe.post(
            f"/customers/{customer}", data={"invoice_settings[default_payment_method]": method}
        )
    return str(customer)


def manifest(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}


def write_project(directory: Path, base_url: str, size: int, rate_limit: float) -> None:
    target = {"type": "sandbox", "url": base_url, "rate_limit": rate_limit}
    project = {"default_target": "bench", "targets": {"bench": target}}
    (directory / "reconcile.yaml").write_text(yaml.safe_dump(project))
    stripe_customer = card_holder(base_url)
    documents = [
        manifest("StripeApp", "stripe", {"name": "Stripe", "api_key": "${env:STRIPE_API_KEY}"}),
        manifest(
            "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
        ),
        *(
            manifest(
                "CustomerBilling",
                f"customer-{n}",
                {
                    "customer": {"key": f"customer-{n}", "name": f"Customer {n}"},
                    "stripe": {"customer_id": stripe_customer},
                },
            )
            for n in range(size)
        ),
    ]
    (directory / "manifests.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))


def konnect_totals(base_url: str) -> tuple[int, int]:
    """(requests accepted, requests refused with 429) on the Konnect side."""
    log = httpx.get(base_url + "/_sandbox/stats").json()
    konnect = sum(count for route, count in log["requests"].items() if " /v3/" in route)
    refused = log["faults"].get("rate_limit", 0)
    return konnect - refused, refused


def measure(size: int, args: argparse.Namespace) -> Figures:
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        port = free_port()
        server = serve(directory, port, args)
        try:
            base_url = f"http://127.0.0.1:{port}"
            project = directory / "manifests"
            project.mkdir()
            write_project(project, base_url, size, args.rate_limit)
            httpx.delete(base_url + "/_sandbox/stats")
            report = directory / "report.json"
            counters = directory / "counters.json"
            command = [
                *(sys.executable, "-c", APPLY_RUNNER, str(counters), "apply", str(project)),
                *("--auto-approve", "--output", "json", "--report", str(report)),
                *("--parallelism", str(args.parallelism)),
            ]
            started = time.monotonic()
            finished = subprocess.run(command, capture_output=True, text=True, check=False)
            if not counters.exists():
                raise RuntimeError("the apply process died:\n" + finished.stderr[-2000:])
            wall = time.monotonic() - started
            counted = json.loads(counters.read_text())
            outcomes = json.loads(report.read_text())["outcomes"]
            accepted, refused = konnect_totals(base_url)
        finally:
            server.terminate()
            server.wait()
    return Figures(
        size=size,
        actions=len(outcomes),
        failed=sum(1 for o in outcomes if o["status"] != "done"),
        konnect_requests=accepted,
        rate_limited=refused,
        retries=counted["retries"],
        wall_seconds=wall,
        rate_limit=args.rate_limit,
        peak_rss_mb=counted["rss_kib"] / 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size")
    parser.add_argument("--rate-limit", type=float, default=25.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="N = 50 at 100 req/s, one run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat, args.rate_limit = "50", 1, 100.0
    print(machine(), flush=True)
    print(
        f"server and client limit {args.rate_limit:g} req/s per API, latency "
        f"{args.latency_ms:g} ms, parallelism {args.parallelism}, {args.repeat} run(s) per N",
        flush=True,
    )
    print(HEADER, flush=True)
    for size in (int(text) for text in args.sizes.split(",")):
        print(row([measure(size, args) for _ in range(args.repeat)]), flush=True)
    print(machine(), flush=True)


if __name__ == "__main__":
    main()
