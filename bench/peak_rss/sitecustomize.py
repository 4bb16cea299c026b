"""Put on PYTHONPATH by `measuring.run_command`: at exit, a Python process started by a
benchmark writes its own peak RSS to the file `RECONCILE_BENCH_PEAK_RSS_FILE` names.

The peak that `wait4` reports is no use for a child of a large process on Linux: the kernel
keeps the high-water mark of the process that forked it across `exec`, so every child would
seem to peak at least at its parent's size. `VmHWM` is the process's own, from its `exec` on.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path


def _write_peak() -> None:
    target = os.environ.get("RECONCILE_BENCH_PEAK_RSS_FILE")
    status = Path("/proc/self/status")
    if not target or not status.exists():
        return
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            Path(target).write_text(line.split()[1])  # kB


atexit.register(_write_peak)
