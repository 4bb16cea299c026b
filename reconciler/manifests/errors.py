"""Errors of the manifest layer."""

from __future__ import annotations

from reconciler.errors import ReconcileError
from reconciler.manifests.diagnostics import Diagnostic


class ValidationFailed(ReconcileError):
    """The manifests have problems; `diagnostics` lists them all.

    Shown as every problem's `path:line:col: kind/name: message`, then the summary, whichever
    command read the manifests; `listed` says the command has printed the problems already.
    """

    def __init__(
        self, diagnostics: list[Diagnostic], summary: str, *, listed: bool = False
    ) -> None:
        super().__init__(summary)
        self.diagnostics = diagnostics
        self.listed = listed
