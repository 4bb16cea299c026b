"""Colour in what reconcile prints, by click's colour names, made to pass the output gateway
(`core.safe_output`), which lets through our own styling and no one else's.

Whether to colour at all is decided here alone (`use_colour`), by the conventions terminals
share: `--no-color` and `NO_COLOR` (https://no-color.org) turn it off, `FORCE_COLOR` turns it
on through a pipe, `TERM=dumb` means a terminal that cannot show it; otherwise colour when
standard output is a terminal. Only symbols and labels are coloured, never whole lines, and
never bright white (unreadable on a light background).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

import click

from reconciler.core.safe_output import with_styling


def use_colour(
    no_color: bool = False,
    *,
    environ: Mapping[str, str] = os.environ,
    stream: TextIO | None = None,
) -> bool:
    """Whether output to `stream` (standard output by default) is coloured."""
    if no_color or environ.get("NO_COLOR"):
        return False
    forced = environ.get("FORCE_COLOR")
    if forced is not None and forced != "":
        return forced != "0"
    if environ.get("TERM") == "dumb":
        return False
    return (stream or sys.stdout).isatty()


def style(text: str, fg: str | None = None, *, bold: bool = False) -> str:
    """`text` in a colour (click's names) that passes the exit; `text` itself does not pass
    as styling: any sequence in it is neutralised like the rest."""
    return with_styling(text, click.style("", fg=fg, bold=bold, reset=False))


def styled_if(color: bool, text: str, fg: str | None = None, *, bold: bool = False) -> str:
    """`style(text, ...)` when colouring, else `text` as it is."""
    return style(text, fg=fg, bold=bold) if color else text
