"""Wall time of short commands, end to end in a process of their own, as a user waits for them.

- `reconcile --help`;
- `reconcile validate` of the project `reconcile init` writes (4 manifest files);
- `reconcile validate` of N customer links in one file (with a Stripe app, two tax codes and
  two billing profiles, as bench/plan_scale.py declares them).

Each from this checkout (`python -m reconciler`), `--repeat` times: wall and CPU seconds (user +
system) as min/median, the peak RSS, and the load average beside every row. On a loaded
machine the wall time grows and the CPU time much less. No request is made.

    python bench/cli_wall.py [--manifests 10000] [--repeat 5]
    python bench/cli_wall.py --quick        # 100 manifests, two runs

Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import yaml
from measuring import (  # beside this script: `python bench/cli_wall.py` finds it
    checkout_env,
    load_now,
    machine,
    reconcile_command,
    run_command,
    spread,
)

API_VERSION = "reconcile.konghq.dev/v1"
SUPPLIER = {"name": "ACME Inc.", "addresses": {"billing_address": {"country": "US"}}}


def manifest(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}


def write_links(directory: Path, count: int) -> None:
    directory.mkdir()
    documents = [
        manifest("StripeApp", "stripe", {"name": "Stripe", "api_key": "${env:BENCH_STRIPE_KEY}"}),
        *(
            manifest(
                "TaxCode", f"code-{i}", {"key": f"code_{i}", "stripe_tax_code": "txcd_10103001"}
            )
            for i in range(2)
        ),
        manifest("BillingProfile", "other", {"app": "stripe", "supplier": SUPPLIER}),
        manifest(
            "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
        ),
        *(
            manifest(
                "CustomerBilling",
                f"customer-{n:05d}",
                {
                    "customer": {"key": f"customer-{n:05d}", "name": f"customer-{n:05d}"},
                    "billing_profile": "main",
                    "stripe": {"customer_id": f"cus_bench{n:08d}"},
                },
            )
            for n in range(count)
        ),
    ]
    (directory / "manifests.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))


def timed(label: str, command: list[str], repeat: int) -> str:
    runs = []
    for _ in range(repeat):
        finished = run_command(command, env=checkout_env())
        if finished.returncode != 0:
            raise RuntimeError(f"{label} exited {finished.returncode}:\n{finished.stderr}")
        runs.append(finished)
    wall = spread([run.seconds for run in runs])
    cpu = spread([run.cpu_seconds for run in runs])
    rss = max(run.peak_rss_mb for run in runs)
    return f"{label:<34} {wall.show(3):>13} {cpu.show(3):>13} {rss:>7.0f} {load_now():>5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=10_000, help="links to validate")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure")
    parser.add_argument("--quick", action="store_true", help="100 manifests, two runs")
    args = parser.parse_args()
    if args.quick:
        args.manifests, args.repeat = 100, 2
    print(machine(), flush=True)
    print(f"{args.repeat} runs per figure (min/median)", flush=True)
    print(f"{'command':<34} {'wall s':>13} {'CPU s':>13} {'RSS MB':>7} {'load':>5}", flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        print(timed("reconcile --help", reconcile_command("--help"), args.repeat), flush=True)
        initialised = scratch / "init"
        init = run_command(reconcile_command("init", str(initialised)), env=checkout_env())
        if init.returncode != 0:
            raise RuntimeError(f"reconcile init exited {init.returncode}:\n{init.stderr}")
        files = len(list(initialised.glob("*.yaml"))) - 2  # reconcile.yaml, the sandbox seed
        label = f"reconcile validate ({files} files)"
        print(timed(label, reconcile_command("validate", str(initialised)), args.repeat))
        links = scratch / "links"
        write_links(links, args.manifests)
        label = f"reconcile validate ({args.manifests:,} links)"
        print(timed(label, reconcile_command("validate", str(links)), args.repeat), flush=True)
    print(machine(), flush=True)


if __name__ == "__main__":
    main()
