"""How `reconcile plan` scales with the number of customer links, against the naive refresh.

For each N it builds a sandbox world of N linked customers (each with a Stripe customer and an
invoice-default card), two billing profiles and two tax codes, serves it with `reconcile
sandbox serve` in its own process with 50 ms of latency per request, and measures, each run in
a fresh process (so peak RSS is that process's alone):

- `engine`: the bulk strategy through the library (`make_plan`: lists at the largest page
  size, one billing GET per customer, Stripe customers listed with `expand[]`), manifests
  loaded before the clock starts (`load s` says how long that took);
- `cli`: `reconcile plan DIR` as a user runs it, timed end to end: imports, loading, the
  connection set-up, reading, diffing and rendering;
- `floor`: one billing GET per customer with a bare httpx client at the same parallelism, no
  answer checked: what any client meets against this server on this machine, so that the
  rest of a strategy's wall time over its bound is the strategy's own;
- `naive`: one GET per resource (Konnect customer, its billing, Stripe customer, payment
  method, and each profile, tax code and the app), as a Terraform provider refreshes, at the
  bulk's parallelism and at 10 (a provider's usual);
- `cached engine`, `cached cli`: `plan --refresh=false` after every customer got its applied
  label, so that no billing GET is needed.

Requests are counted by the sandbox. The latency bound is the larger of requests x latency /
parallelism and the requests that must follow one another x latency, counted from what each
strategy really reads in line:

- `engine`, `cli`: the Stripe customer list, paged by cursor, one page after the other (N / 100
  pages). The Konnect customer list runs beside it and is shorter: its first page tells how
  many follow, and those are fetched `--concurrency` at a time (1 + (N / 100 - 1) /
  concurrency rounds);
- `cached engine`, `cached cli`: no Stripe customer list (with refresh off, links the applied
  label vouches for are not checked against Stripe), so only the Konnect list's rounds;
- `naive`, `floor`: no list at all; one request.

`cli CPU` is the client
process's CPU seconds over the wall time shown, `srv CPU` the sandbox's (medians): on two
cores, their sum against the wall time says whether CPU rather than latency bounds a run. Each
figure is min/median of `--repeat` runs; the load average is printed when the run starts and
beside every row.

    python bench/plan_scale.py [--sizes 100,1000,10000] [--repeat 3] [--latency-ms 50]
                               [--concurrency 16] [--strategies floor,engine,cli,naive,cached]
    python bench/plan_scale.py --quick      # N = 100, one run: does it still work?

Figures, and what bounds them, are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from measuring import (  # beside this script: `python bench/plan_scale.py` finds it
    Spread,
    checkout_env,
    load_now,
    machine,
    own_cpu_seconds,
    own_peak_rss_mb,
    process_cpu_seconds,
    reconcile_command,
    run_command,
    spread,
)

from reconciler.clients.konnect import KonnectClient
from reconciler.clients.stripe_api import StripeApi
from reconciler.core.kind import DesiredContext, Sources
from reconciler.core.live import APPLIED_LABEL
from reconciler.core.secrets import SecretSource
from reconciler.core.stripe_facts import StripeAccounts
from reconciler.engine.planning.planner import PlanOptions, make_plan
from reconciler.kinds import RESOURCES
from reconciler.kinds.customer_billing import CustomerBillingResource, applied_digest
from reconciler.manifests import load_manifests
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api.collection_names import APP_DATA, CUSTOMERS, PINNED_PROFILE
from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import world as stripe_world
from reconciler.sandbox.stripe_api.cards import TEST_CARDS
from reconciler.targets import SANDBOX_DB

STRIPE_KEY = "sk_test_" + "planscale" + "0" * 20
PAGE_SIZE = 100
NAIVE_PARALLELISM = 10
SUPPLIER = {"name": "ACME Inc.", "addresses": {"billing_address": {"country": "US"}}}
OWNED = {"managed-by": "reconcile"}


@dataclass(frozen=True)
class Seeded:
    project: Path
    customer_ids: list[str]
    stripe_customers: list[tuple[str, str]]  # (customer id, payment method id)
    profile_ids: list[str]
    tax_code_ids: list[str]
    app_id: str


@dataclass(frozen=True)
class Run:
    """One run of one strategy: wall seconds, peak RSS and seconds spent loading manifests
    before the clock started (the engine only)."""

    seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # the client's, over the same span as `seconds`
    load_seconds: float = 0.0


@dataclass(frozen=True)
class Counted:
    """A run with the requests the sandbox served for it, and the CPU it spent on them."""

    run: Run
    konnect: int
    stripe: int
    sandbox_cpu_seconds: float


# --- the world --------------------------------------------------------------------------------


def build_world(directory: Path, customers: int) -> Seeded:
    """Seed through the APIs where it is cheap, and straight into the store for the bulk."""
    db = directory / SANDBOX_DB
    db.parent.mkdir(parents=True)
    app = create_app(SandboxConfig(db_path=db))
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://sandbox.test") as client:
        headers = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}

        def konnect(method: str, path: str, body: Any) -> Any:
            response = client.request(method, "/v3/openmeter" + path, json=body, headers=headers)
            response.raise_for_status()
            return response.json()

        # The sandbox opens no account for a key nobody registered, as Stripe would not.
        client.post("/_sandbox/stripe/keys", json={"key": STRIPE_KEY}).raise_for_status()
        installed = konnect(
            "POST",
            "/app-catalog/install",
            {
                "type": "stripe",
                "name": "Stripe",
                "api_key": STRIPE_KEY,
                "create_billing_profile": False,
            },
        )["app"]
        konnect(
            "PUT", f"/apps/{installed['id']}", {"type": "stripe", "name": "Stripe", "labels": OWNED}
        )
        codes = [
            konnect(
                "POST",
                "/tax-codes",
                {
                    "key": f"code_{i}",
                    "name": f"code-{i}",
                    "labels": OWNED,
                    "app_mappings": [{"app_type": "stripe", "tax_code": "txcd_10103001"}],
                },
            )
            for i in range(2)
        ]
        apps = {role: {"id": installed["id"]} for role in ("tax", "invoicing", "payment")}
        profiles = [
            konnect(
                "POST",
                "/profiles",
                {
                    "name": name,
                    "labels": OWNED,
                    "supplier": SUPPLIER,
                    "workflow": {},
                    "apps": apps,
                    "default": name == "main",
                },
            )
            for name in ("other", "main")
        ]
        store: Store = app.state.sandbox.store
        links = _seed_customers(store, customers, profiles[1]["id"])
    _write_manifests(directory, [key for key, _, _ in links], [s for _, _, s in links])
    return Seeded(
        project=directory,
        customer_ids=[customer_id for _, customer_id, _ in links],
        stripe_customers=[s for _, _, s in links],
        profile_ids=[p["id"] for p in profiles],
        tax_code_ids=[c["id"] for c in codes],
        app_id=installed["id"],
    )


def _seed_customers(
    store: Store, count: int, profile_id: str
) -> list[tuple[str, str, tuple[str, str]]]:
    account = stripe_world.account_for_key(store, STRIPE_KEY)
    assert account is not None
    links = []
    now = "2026-01-01T00:00:00Z"
    with store.transaction():
        for index in range(count):
            stripe_customer = stripe_world.create_customer(
                store, account["id"], name=f"Customer {index}", email=f"c{index}@example.com"
            )["id"]
            method = stripe_world.create_card_payment_method(
                store,
                account["id"],
                card=TEST_CARDS["visa"],
                billing_details={"address": {"country": "US", "line1": "1 Main St"}},
            )["id"]
            stripe_world.attach_payment_method(store, account["id"], method, stripe_customer)
            stripe_world.set_default_payment_method(store, account["id"], stripe_customer, method)
            key = f"customer-{index:05d}"
            customer_id = new_ulid()
            store.put(
                CUSTOMERS,
                customer_id,
                {
                    "id": customer_id,
                    "key": key,
                    "name": key,
                    "labels": OWNED,
                    "created_at": now,
                    "updated_at": now,
                    PINNED_PROFILE: profile_id,
                    APP_DATA: {"stripe": {"customer_id": stripe_customer}},
                },
            )
            links.append((key, customer_id, (stripe_customer, method)))
    return links


def _write_manifests(
    directory: Path, keys: list[str], stripe_customers: list[tuple[str, str]]
) -> None:
    def doc(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "reconcile.konghq.dev/v1",
            "kind": kind,
            "metadata": {"name": name},
            "spec": spec,
        }

    documents = [
        doc("StripeApp", "stripe", {"name": "Stripe", "api_key": "${env:BENCH_STRIPE_KEY}"}),
        *(
            doc("TaxCode", f"code-{i}", {"key": f"code_{i}", "stripe_tax_code": "txcd_10103001"})
            for i in range(2)
        ),
        doc("BillingProfile", "other", {"app": "stripe", "supplier": SUPPLIER}),
        doc("BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}),
        *(
            doc(
                "CustomerBilling",
                key,
                {
                    "customer": {"key": key, "name": key},
                    "billing_profile": "main",
                    "stripe": {"customer_id": customer},
                },
            )
            for key, (customer, _) in zip(keys, stripe_customers, strict=True)
        ),
    ]
    (directory / "manifests.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))


# --- the strategies, each in a fresh process --------------------------------------------------


def stamp_applied(project: Path) -> None:
    """Label every customer with its link's applied digest, as apply would have."""
    manifests = load_manifests(project)
    secrets = SecretSource(environ={"BENCH_STRIPE_KEY": STRIPE_KEY})
    links = CustomerBillingResource().desired(DesiredContext(manifests, secrets))
    digests = {link.key: applied_digest(link) for link in links}
    store = Store(project / SANDBOX_DB)
    try:
        with store.transaction():
            for customer in store.find(CUSTOMERS):
                labels = {**customer.get("labels", {}), APPLIED_LABEL: digests[customer["key"]]}
                store.put(CUSTOMERS, customer["id"], {**customer, "labels": labels})
    finally:
        store.close()


def engine_plan(url: str, project: Path, concurrency: int, refresh: bool = True) -> Run:
    # Loading N manifests (YAML with positions, validation) is CPU work, no request: timed
    # apart, so that wall time compares with the latency bound.
    started = time.monotonic()
    manifests = load_manifests(project)
    loaded = time.monotonic()
    cpu_before = own_cpu_seconds()
    with (
        # A list's pages as `reconcile plan` fetches them: `--concurrency` at a time.
        KonnectClient(url + "/v3", DEFAULT_KONNECT_TOKEN, page_concurrency=concurrency) as konnect,
        StripeAccounts({"stripe": lambda: STRIPE_KEY}, base_url=url) as stripe,
    ):
        sources = Sources(konnect=konnect, stripe=stripe, concurrency=concurrency)
        secrets = SecretSource(environ={"BENCH_STRIPE_KEY": STRIPE_KEY})
        plan, _ = make_plan(manifests, RESOURCES, sources, secrets, PlanOptions(refresh=refresh))
        assert plan.is_noop and not plan.blocking_findings, plan.summary_line()
    cpu = own_cpu_seconds() - cpu_before
    return Run(time.monotonic() - loaded, own_peak_rss_mb(), cpu, load_seconds=loaded - started)


def cli_plan(url: str, project: Path, concurrency: int, refresh: bool = True) -> Run:
    """`reconcile plan` end to end, against the served world (a target that names its URL)."""
    target = {"type": "sandbox", "url": url}
    (project / "reconcile.yaml").write_text(
        yaml.safe_dump({"default_target": "bench", "targets": {"bench": target}})
    )
    command = reconcile_command(
        "plan", str(project), "--no-color", "--detailed-exitcode", "--concurrency", str(concurrency)
    )
    if not refresh:
        command.append("--refresh=false")
    finished = run_command(command, env={**checkout_env(), "BENCH_STRIPE_KEY": STRIPE_KEY})
    if finished.returncode != 0:  # 0: no changes; 2 would be changes, 1 an error
        raise RuntimeError(f"reconcile plan exited {finished.returncode}:\n{finished.stderr}")
    return Run(finished.seconds, finished.peak_rss_mb, finished.cpu_seconds)


def naive_refresh(url: str, seeded: Seeded, parallelism: int) -> Run:
    started = time.monotonic()
    cpu_before = own_cpu_seconds()
    with (
        KonnectClient(url + "/v3", DEFAULT_KONNECT_TOKEN) as konnect,
        StripeApi(STRIPE_KEY, base_url=url) as stripe,
    ):
        reads = [lambda: konnect.get("/openmeter/apps/{id}", path={"id": seeded.app_id})]
        reads += [_get(konnect, "/openmeter/profiles/{id}", i) for i in seeded.profile_ids]
        reads += [_get(konnect, "/openmeter/tax-codes/{id}", i) for i in seeded.tax_code_ids]
        for customer_id, (stripe_customer, method) in zip(
            seeded.customer_ids, seeded.stripe_customers, strict=True
        ):
            reads.append(_get(konnect, "/openmeter/customers/{id}", customer_id))
            reads.append(_get(konnect, "/openmeter/customers/{id}/billing", customer_id))
            reads.append(lambda c=stripe_customer: stripe.customer(c))
            reads.append(lambda c=stripe_customer, m=method: stripe.customer_payment_method(c, m))
        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            list(pool.map(lambda read: read(), reads))
    cpu = own_cpu_seconds() - cpu_before
    return Run(time.monotonic() - started, own_peak_rss_mb(), cpu)


def floor_reads(url: str, seeded: Seeded, parallelism: int) -> Run:
    """One billing GET per customer with a bare httpx client: no answer checked, nothing
    decoded. What any client meets against this server on this machine at this parallelism:
    the rest of a strategy's wall over its bound is the strategy's own."""
    started = time.monotonic()
    cpu_before = own_cpu_seconds()
    headers = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}
    with (
        httpx.Client(base_url=url + "/v3", headers=headers) as client,
        ThreadPoolExecutor(max_workers=parallelism) as pool,
    ):
        paths = [f"/openmeter/customers/{c}/billing" for c in seeded.customer_ids]
        list(pool.map(lambda path: client.get(path).raise_for_status(), paths))
    cpu = own_cpu_seconds() - cpu_before
    return Run(time.monotonic() - started, own_peak_rss_mb(), cpu)


def _get(konnect: KonnectClient, route: str, object_id: str) -> Any:
    return lambda: konnect.get(route, path={"id": object_id})


def in_fresh_process(function: Callable[..., Run], *args: Any) -> Run:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: Run = pool.apply(function, args)
        return result


# --- the sandbox process ------------------------------------------------------------------------


class Served:
    """The world served by `reconcile sandbox serve` in its own process, with latency."""

    def __init__(self, db: Path, latency_ms: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        command = reconcile_command("sandbox", "serve", "--port", str(port), "--db", str(db))
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **checkout_env()},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url + "/_sandbox/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.1)
        faults = {"latency_ms": latency_ms}
        httpx.patch(self.url + "/_sandbox/faults", json=faults).raise_for_status()

    def counted(self, run: Callable[[], Run]) -> Counted:
        """`run`, with the Konnect and Stripe requests the sandbox served meanwhile."""
        httpx.delete(self.url + "/_sandbox/stats").raise_for_status()
        cpu_before = process_cpu_seconds(self.process.pid) or 0.0
        result = run()
        cpu = (process_cpu_seconds(self.process.pid) or 0.0) - cpu_before
        served = httpx.get(self.url + "/_sandbox/stats").json()["requests"]
        konnect = sum(n for route, n in served.items() if " /v3/" in route)
        stripe = sum(n for route, n in served.items() if " /v1/" in route)
        return Counted(result, konnect, stripe, cpu)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# --- figures ------------------------------------------------------------------------------------


def floor(customers: int) -> tuple[int, int]:
    """Fewest requests: lists at full pages plus one billing GET per customer (Konnect);
    customer list pages, account, tax settings, tax codes and webhook endpoints (Stripe)."""
    pages = math.ceil(customers / PAGE_SIZE)
    konnect = 3 + pages + customers  # apps, profiles, tax codes; customers; billing
    stripe = pages + 4
    return konnect, stripe


def stripe_cursor_pages(customers: int) -> int:
    """The Stripe customer list's pages, each asked for with the cursor the last one ended on."""
    return math.ceil(customers / PAGE_SIZE)


def konnect_page_rounds(customers: int, concurrency: int) -> int:
    """The Konnect customer list in line: its first page, then the rest `concurrency` at a time."""
    pages = math.ceil(customers / PAGE_SIZE)
    return 1 + math.ceil((pages - 1) / concurrency) if pages > 1 else 1


@dataclass(frozen=True)
class Row:
    size: int
    strategy: str
    parallelism: int
    runs: list[Counted]
    in_line: int  # requests that must follow one another (see the module's docstring)

    def wall(self) -> Spread:
        return spread([counted.run.seconds for counted in self.runs])

    def bound(self, latency: float) -> tuple[float, str]:
        last = self.runs[-1]
        spread_out = (last.konnect + last.stripe) * latency / self.parallelism
        in_line = self.in_line * latency
        return (spread_out, "parallel") if spread_out >= in_line else (in_line, "pages")

    def line(self, latency: float) -> str:
        last = self.runs[-1]
        total = last.konnect + last.stripe
        least = sum(floor(self.size))
        bound, bound_by = self.bound(latency)
        wall = self.wall()
        ratio = spread([seconds / bound for seconds in wall.values])
        loading = spread([counted.run.load_seconds for counted in self.runs]).show()
        loading = loading if self.strategy.endswith("engine") else "-"
        rss = max(counted.run.peak_rss_mb for counted in self.runs)
        client = spread([counted.run.cpu_seconds for counted in self.runs]).median
        server = spread([counted.sandbox_cpu_seconds for counted in self.runs]).median
        return (
            f"{self.size:>6} {self.strategy:>13} {self.parallelism:>3} {last.konnect:>7} "
            f"{last.stripe:>6} {total / least:>9.2f} {loading:>9} {wall.show():>11} "
            f"{bound:>7.1f} {bound_by:>8} {ratio.show(2):>11} {client:>7.1f} {server:>7.1f} "
            f"{rss:>6.0f} {load_now():>5.2f}"
        )


HEADER = (
    f"{'N':>6} {'strategy':>13} {'par':>3} {'konnect':>7} {'stripe':>6} {'req/floor':>9} "
    f"{'load s':>9} {'wall s':>11} {'bound s':>7} {'bound by':>8} {'wall/bound':>11} "
    f"{'cli CPU':>7} {'srv CPU':>7} {'RSS MB':>6} {'load':>5}"
)


def measure(size: int, args: argparse.Namespace, directory: Path) -> list[Row]:
    strategies = set(args.strategies.split(","))
    seeded = build_world(directory / "manifests", size)
    db = seeded.project / SANDBOX_DB
    concurrency = args.concurrency
    konnect_rounds = konnect_page_rounds(size, concurrency)
    # The Stripe cursor pages and the Konnect rounds are read side by side.
    pages = max(stripe_cursor_pages(size), konnect_rounds)
    plans: list[tuple[str, int, int, Callable[[str], Run]]] = []
    if "floor" in strategies:
        plans.append(
            (
                "floor",
                concurrency,
                1,
                lambda url: in_fresh_process(floor_reads, url, seeded, concurrency),
            )
        )
    if "engine" in strategies:
        plans.append(
            (
                "engine",
                concurrency,
                pages,
                lambda url: in_fresh_process(engine_plan, url, seeded.project, concurrency),
            )
        )
    if "cli" in strategies:
        plans.append(
            ("cli", concurrency, pages, lambda url: cli_plan(url, seeded.project, concurrency))
        )
    if "naive" in strategies:
        for parallelism in dict.fromkeys((concurrency, NAIVE_PARALLELISM)):
            plans.append(
                (
                    "naive",
                    parallelism,
                    1,
                    lambda url, p=parallelism: in_fresh_process(naive_refresh, url, seeded, p),
                )
            )
    rows = _rows(size, db, args, plans)
    if "cached" in strategies:
        stamp_applied(seeded.project)
        cached: list[tuple[str, int, int, Callable[[str], Run]]] = [
            (
                "cached engine",
                concurrency,
                konnect_rounds,
                lambda url: in_fresh_process(engine_plan, url, seeded.project, concurrency, False),
            ),
            (
                "cached cli",
                concurrency,
                konnect_rounds,
                lambda url: cli_plan(url, seeded.project, concurrency, False),
            ),
        ]
        rows += _rows(size, db, args, cached)
    return rows


def _rows(
    size: int,
    db: Path,
    args: argparse.Namespace,
    plans: list[tuple[str, int, int, Callable[[str], Run]]],
) -> list[Row]:
    """Each strategy `--repeat` times, in turns (so that a burst of load on the machine
    spreads over all of them rather than landing on one)."""
    served = Served(db, args.latency_ms)
    try:
        runs: list[list[Counted]] = [[] for _ in plans]
        for _ in range(args.repeat):
            for index, (_, _, _, plan) in enumerate(plans):
                runs[index].append(served.counted(lambda plan=plan: plan(served.url)))
    finally:
        served.stop()
    return [
        Row(size, name, parallelism, counted, pages)
        for (name, parallelism, pages, _), counted in zip(plans, runs, strict=True)
    ]


def speed_ups(rows: list[Row], concurrency: int) -> list[str]:
    """Bulk against naive at equal parallelism, and the CLI against the engine."""
    by_name = {(row.strategy, row.parallelism): row for row in rows}
    lines = []
    engine, cli = by_name.get(("engine", concurrency)), by_name.get(("cli", concurrency))
    for naive_parallelism in dict.fromkeys((concurrency, NAIVE_PARALLELISM)):
        naive = by_name.get(("naive", naive_parallelism))
        if engine and naive:
            lines.append(
                f"  engine at {concurrency} against naive at {naive_parallelism}: "
                f"{_ratio(naive.wall(), engine.wall())} faster (min/median)"
            )
    if engine and cli:
        lines.append(f"  cli against engine: {_ratio(cli.wall(), engine.wall())} the wall time")
    return lines


def _ratio(slower: Spread, faster: Spread) -> str:
    return f"{slower.least / faster.least:.2f}x/{slower.median / faster.median:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--strategies", default="floor,engine,cli,naive,cached")
    parser.add_argument("--quick", action="store_true", help="N = 100, one run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = "100", 1
    latency = args.latency_ms / 1000
    print(machine(), flush=True)
    print(
        f"latency {args.latency_ms:g} ms, {args.repeat} run(s) per figure (min/median), "
        f"`load` is the 1-minute load average when the row was printed",
        flush=True,
    )
    print(HEADER, flush=True)
    for size in (int(text) for text in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as temporary:
            rows = measure(size, args, Path(temporary))
        for row in rows:
            print(row.line(latency), flush=True)
        for line in speed_ups(rows, args.concurrency):
            print(line, flush=True)
    print(machine(), flush=True)


if __name__ == "__main__":
    main()
