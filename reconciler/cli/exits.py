"""How a command ends, in one place: the exit code of each outcome and of every error.

0 when all is well; 2 when `plan --detailed-exitcode` has changes or `drift` finds drift, as
`terraform plan -detailed-exitcode` does; 1 for every `ReconcileError` (its message on
stderr), and for a usage error too, so that a typo in CI never reads as "changes".
"""

from __future__ import annotations

from typing import IO, Any

import click

from reconciler.errors import ReconcileError
from reconciler.manifests import ValidationFailed

EXIT_ERROR = 1
EXIT_CHANGES = 2


class Failed(click.ClickException):
    """A `ReconcileError` as the command line ends with it: `Error: message` on stderr, exit 1;
    for manifest problems, every diagnostic first (unless the command listed them already)."""

    exit_code = EXIT_ERROR

    def __init__(self, error: ReconcileError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        error = self.error
        if isinstance(error, ValidationFailed) and not error.listed:
            for diagnostic in error.diagnostics:
                click.echo(diagnostic.format(), file=file, err=file is None)
        super().show(file)


def changes_present() -> click.exceptions.Exit:
    """`plan --detailed-exitcode` found changes, or `drift` found drift."""
    return click.exceptions.Exit(EXIT_CHANGES)


def failed_quietly() -> click.exceptions.Exit:
    """The command has told its failure already (an apply report): exit 1, print nothing."""
    return click.exceptions.Exit(EXIT_ERROR)
