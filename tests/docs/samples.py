"""Comparing a documented sample with what a command printed, ids and times aside."""

from __future__ import annotations

import re

ELIDED = "..."


def normalized(line: str) -> str:
    """The line without what changes from run to run: ids, durations, timestamps."""
    line = re.sub(r"after \d+\.\ds", "after _s", line)
    line = re.sub(r"\[id=[^\]]*\]", "[id=_]", line)
    return re.sub(r"changed at [^)]*\)", "changed at _)", line)


def _runs(sample: str) -> list[list[str]]:
    """The sample's runs of consecutive lines, split where `...` elides some."""
    runs: list[list[str]] = [[]]
    for line in sample.rstrip("\n").splitlines():
        if line == ELIDED:
            runs.append([])
        else:
            runs[-1].append(normalized(line))
    return [run for run in runs if run]


def appears_in_order(sample: str, output: str) -> bool:
    """Each run of the sample is a run of lines of the output, in the sample's order."""
    printed = [normalized(line) for line in output.splitlines()]
    start = 0
    for run in _runs(sample):
        found = next(
            (at for at in range(start, len(printed)) if printed[at : at + len(run)] == run), None
        )
        if found is None:
            return False
        start = found + len(run)
    return True


def appears(sample: str, output: str) -> bool:
    """Every line of the sample is a line of the output, in any order (concurrent work)."""
    shown = {line for run in _runs(sample) for line in run}
    return shown <= {normalized(line) for line in output.splitlines()}
