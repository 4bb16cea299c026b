"""Colour in what reconcile prints, by click's colour names, made to pass the output gateway
(`core.safe_output`), which lets through our own styling and no one else's."""

from __future__ import annotations

import click

from reconciler.core.safe_output import with_styling


def style(text: str, fg: str | None = None, *, bold: bool = False) -> str:
    """`text` in a colour (click's names) that passes the exit; `text` itself does not pass
    as styling: any sequence in it is neutralised like the rest."""
    return with_styling(text, click.style("", fg=fg, bold=bold, reset=False))
