"""The workflow events the command line shows, shared by its commands."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click

from reconciler.views.progress import ReadProgress
from reconciler.workflows.events import Events


class ReadingShown(Events):
    """The target first (on stdout, in text output: JSON and Markdown documents carry it
    themselves), then the read of live state as a progress line on stderr (on a terminal)."""

    def __init__(self, output: str = "text") -> None:
        self.output = output
        # The header lines already printed, so the command's later notes do not repeat them.
        self.shown: list[str] = []

    def connected(self, header: Sequence[str]) -> None:
        if self.output != "text":
            return
        for line in header:
            click.echo(line)
        self.shown += header

    def not_shown(self, lines: Sequence[str]) -> list[str]:
        """`lines` but those `connected` printed already."""
        return [line for line in lines if line not in self.shown]

    def reading(self, requests: Callable[[], int]) -> ReadProgress:
        return ReadProgress(sys.stderr, requests)
