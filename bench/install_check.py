"""Install reconcile as a tool into a fresh virtual environment and run it there.

`pip install .` (what `pipx install .` and `uv tool install .` do, in a venv of their own)
with the registry for the dependencies; then, from the installed command alone:
`reconcile --version`, a plan against the sandbox that asks for the `[sandbox]` extra,
`pip install .[sandbox]`, and `init`, `validate` and `plan` in an empty directory. Prints each
step, then how long the installed `reconcile --help` and `reconcile validate` of the `init`
project (4 manifest files) take, as min/median of five runs, with the load average. Kept out
of the test suite: it downloads and installs packages.

    python bench/install_check.py

Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from measuring import machine, spread  # beside this script

SOURCE = Path(__file__).resolve().parents[1]


def run(*command: str | Path, expect: int = 0) -> str:
    # Without PYTHONPATH, so the installed package answers and not this checkout.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    completed = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, env=environment
    )
    if completed.returncode != expect:
        sys.exit(f"{command}: exit {completed.returncode}\n{completed.stdout}{completed.stderr}")
    return completed.stdout + completed.stderr


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reconcile-install-") as scratch:
        environment = Path(scratch) / "venv"
        venv.create(environment, with_pip=True)
        python, reconcile = environment / "bin" / "python", environment / "bin" / "reconcile"
        run(python, "-m", "pip", "install", "--quiet", SOURCE)
        print(run(reconcile, "--version").strip())
        project = Path(scratch) / "project"
        run(reconcile, "init", project)
        print(run(reconcile, "plan", project, expect=1).strip())
        run(python, "-m", "pip", "install", "--quiet", f"{SOURCE}[sandbox]")
        print(run(reconcile, "validate", project).strip())
        print(run(reconcile, "plan", project, "--no-color").strip().splitlines()[-1])
        print(machine())
        for arguments in (("--help",), ("validate", str(project))):
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                run(reconcile, *arguments)
                timings.append(time.perf_counter() - started)
            wall = spread(timings).show(3)
            print(f"reconcile {' '.join(arguments[:1])}: {wall} s (min/median of 5)")
        print(machine())


if __name__ == "__main__":
    main()
