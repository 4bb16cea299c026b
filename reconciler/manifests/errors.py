"""Errors of the manifest layer, each carrying the exit code the CLI ends with."""

from __future__ import annotations

from typing import IO, Any

import click

from reconciler.manifests.diagnostics import Diagnostic


class ValidationFailed(click.ClickException):
    """The manifests have problems; `diagnostics` lists them all.

    Shown as every problem's `path:line:col: kind/name: message`, then the summary, whichever
    command read the manifests; `listed` says the command has printed the problems already.
    """

    exit_code = 1

    def __init__(
        self, diagnostics: list[Diagnostic], summary: str, *, listed: bool = False
    ) -> None:
        super().__init__(summary)
        self.diagnostics = diagnostics
        self.listed = listed

    def show(self, file: IO[Any] | None = None) -> None:
        if not self.listed:
            for diagnostic in self.diagnostics:
                click.echo(diagnostic.format(), file=file, err=file is None)
        super().show(file)
