"""The `reconcile` command line: a thin shell that parses, calls the engine and renders."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from reconciler.cli.commands.completion import COMPLETE_VARIABLE
from reconciler.cli.lazy_group import LazyCommand, LazyGroup
from reconciler.core import log_output, safe_output
from reconciler.core.version import VERSION
from reconciler.errors import ReconcileError

# The embedded sandbox's server runs on these, installed by the `sandbox` extra only.
SANDBOX_EXTRA_MODULES = {"starlette", "uvicorn", "httptools"}
SANDBOX_EXTRA_MISSING = (
    "the embedded sandbox is not installed; install it with: "
    "pip install 'konnect-reconcile[sandbox]' (pipx: pipx install 'konnect-reconcile[sandbox]')"
)


class ReconcileGroup(LazyGroup):
    """Usage errors exit 1, not click's 2: `plan --detailed-exitcode` and `drift` exit 2 for
    changes and drift, and a mistyped option or a wrong directory in CI must not read as those.

    Everything printed while a command runs, click's own error messages included, leaves
    through `safe_output`: no secret and no server's control sequence reaches the terminal.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get(COMPLETE_VARIABLE):
            # The shell asks for completions: click answers with the names of commands,
            # options and files, in bytes, which the text-only safe streams refuse.
            return super().main(*args, **kwargs)
        with safe_output.safe_standard_streams():
            try:
                return super().main(*args, **kwargs)
            except Exception:
                # A fault of reconcile itself keeps its traceback, which Python prints once
                # main is gone, past the streams above: print it cleaned as well.
                sys.excepthook = safe_output.print_clean_traceback
                raise

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_errors_exit_one():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # Covers every subcommand: their parsing and their callbacks run inside this call.
        with _usage_errors_exit_one():
            try:
                return super().invoke(ctx)
            except ReconcileError as error:
                from reconciler.cli.exits import Failed  # its import reads the manifest models

                raise Failed(error) from None
            except ModuleNotFoundError as error:
                if (error.name or "").partition(".")[0] not in SANDBOX_EXTRA_MODULES:
                    raise
                raise click.ClickException(SANDBOX_EXTRA_MISSING) from None


@contextmanager
def _usage_errors_exit_one() -> Iterator[None]:
    try:
        yield
    except click.UsageError as error:
        error.show()  # click's own message, usage line and hint, on stderr
        raise click.exceptions.Exit(1) from None


@click.group(cls=ReconcileGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="reconcile")
@click.option(
    "--debug",
    is_flag=True,
    help="Log each API request to stderr (method, route, status, duration, request id), "
    "secrets redacted. Also RECONCILE_LOG=debug.",
)
def main(debug: bool) -> None:
    """Billing configuration as code for Konnect Metering & Billing and Stripe.

    Each command reads the manifests in DIR (default: the current directory) and runs against
    the target it names (--target), else reconcile.yaml's default target, else the Konnect
    organization that KONNECT_TOKEN and KONNECT_REGION or KONNECT_BASE_URL describe.
    """
    log_output.configure(log_output.wants_debug(debug))


# Each command by the module that holds it and its one-line help (the first line of its
# docstring, which tests/cli/test_lazy_commands.py holds them to).
main.lazy_commands = {
    name: LazyCommand(f"reconciler.cli.commands.{location}", short_help)
    for name, location, short_help in [
        (
            "adopt",
            "adopt:adopt",
            "Mark the live objects that the manifests KIND/NAME match as managed by reconcile.",
        ),
        (
            "apply",
            "apply:apply",
            "Apply the manifests in DIR, or a plan saved with `plan -out PLANFILE`.",
        ),
        (
            "checkout-url",
            "onboarding:checkout_url",
            "Create a Stripe Checkout link that collects a card for CUSTOMER.",
        ),
        ("completion", "completion:completion", "Print the shell completion script for SHELL."),
        (
            "drift",
            "drift:drift",
            "Report how the live state drifted from the manifests in DIRECTORY; change nothing.",
        ),
        (
            "export",
            "export:export",
            "Write manifests for the live Konnect objects of DIRECTORY's target into OUT_DIR, "
            "which must be empty unless --force.",
        ),
        ("init", "init:init", "Create a new reconcile project in DIRECTORY (default: .)."),
        (
            "plan",
            "plan:plan",
            "Show what `apply` would change for the manifests in DIRECTORY.",
        ),
        (
            "portal-url",
            "onboarding:portal_url",
            "Create a Stripe Billing Portal link for CUSTOMER, who must have a linked Stripe "
            "customer.",
        ),
        ("sandbox", "sandbox:sandbox", "Run the embedded Konnect + Stripe sandbox."),
        (
            "schema",
            "schema:schema",
            "Print the JSON Schema FILE_NAME (default: manifest.json, any kind), or write them "
            "all.",
        ),
        (
            "validate",
            "validate:validate",
            "Check the manifests in DIRECTORY without calling any API.",
        ),
    ]
}
