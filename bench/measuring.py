"""What every benchmark here shares: the machine it ran on, figures from several runs, and
commands timed end to end in a process of their own.

The benchmarks run on machines other work shares: each prints the cores and the load average
when it starts and beside every row, so that a figure can be read against the load it was
measured under. A figure is the minimum and the median of `--repeat` runs: the minimum is what
the code costs, the median what a run typically met.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# The reconcile this checkout holds, whatever is installed.
SOURCE = Path(__file__).resolve().parents[1]
# Where the `sitecustomize` is that makes a Python command report its own peak RSS.
PEAK_RSS_PROBE = Path(__file__).resolve().parent / "peak_rss"


def machine() -> str:
    """The cores and the load average (1, 5, 15 min), in one line."""
    one, five, fifteen = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"


def load_now() -> float:
    """The 1-minute load average, for a row's `load` column."""
    return os.getloadavg()[0]


@dataclass(frozen=True)
class Spread:
    """One figure over several runs."""

    values: tuple[float, ...]

    @property
    def least(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, digits: int = 1) -> str:
        """`min/median`, or one value when there was one run."""
        if len(self.values) == 1:
            return f"{self.least:.{digits}f}"
        return f"{self.least:.{digits}f}/{self.median:.{digits}f}"


def spread(values: Sequence[float]) -> Spread:
    return Spread(tuple(values))


@dataclass(frozen=True)
class Finished:
    """A command run to its end: its exit code, output, wall seconds and peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # user + system


def run_command(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Finished:
    """Run `command` and time it from start to exit. Its peak RSS is its own: a Python
    command writes it at exit (`peak_rss/sitecustomize.py`, since on Linux the figure wait4
    gives starts from this process's size); another command's is wait4's."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak-rss-kb"
        environment = {**os.environ, **(env or {})}
        environment["RECONCILE_BENCH_PEAK_RSS_FILE"] = str(peak_file)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PEAK_RSS_PROBE), environment.get("PYTHONPATH")])
        )
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=cwd,
            text=True,
        )
        stdout, stderr = _drain(process)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        written = peak_file.read_text() if peak_file.exists() else ""
        peak_kb = int(written) if written.isdigit() else usage.ru_maxrss
    return Finished(process.returncode, stdout, stderr, seconds, peak_kb / 1024, cpu)


def _drain(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Read both pipes to their end without reaping the process (wait4 does that)."""
    assert process.stdout is not None and process.stderr is not None
    with ThreadPoolExecutor(2) as readers:
        out = readers.submit(process.stdout.read)
        err = readers.submit(process.stderr.read)
        return out.result(), err.result()


def reconcile_command(*arguments: str) -> list[str]:
    """`reconcile ...` from this checkout, as a user's shell would start it."""
    return [sys.executable, "-m", "reconciler", *arguments]


def checkout_env() -> dict[str, str]:
    """The environment that makes `python -m reconciler` this checkout's."""
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": str(SOURCE) + (os.pathsep + path if path else "")}


def own_cpu_seconds() -> float:
    """User + system CPU this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of another process so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_peak_rss_mb() -> float:
    """This process's peak RSS since it started: `VmHWM` on Linux, since getrusage's figure
    starts from the size of the process that forked it (a spawned worker's parent)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
