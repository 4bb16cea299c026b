"""Errors of the manifest layer, each carrying the exit code the CLI ends with."""

from __future__ import annotations

import click

from reconciler.manifests.diagnostics import Diagnostic


class ValidationFailed(click.ClickException):
    """The manifests have problems; `diagnostics` lists them all."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic], summary: str) -> None:
        super().__init__(summary)
        self.diagnostics = diagnostics
