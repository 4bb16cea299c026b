"""The `reconcile` command line: a thin shell that parses, calls the engine and renders."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from reconciler.cli.commands.adopt import adopt
from reconciler.cli.commands.apply import apply
from reconciler.cli.commands.drift import drift
from reconciler.cli.commands.export import export
from reconciler.cli.commands.onboarding import checkout_url, portal_url
from reconciler.cli.commands.plan import plan
from reconciler.cli.commands.sandbox import sandbox
from reconciler.cli.commands.schema import schema
from reconciler.cli.commands.validate import validate
from reconciler.cli.exits import Failed
from reconciler.core import log_output, safe_output
from reconciler.core.version import VERSION
from reconciler.errors import ReconcileError


class ReconcileGroup(click.Group):
    """Usage errors exit 1, not click's 2: `plan --detailed-exitcode` and `drift` exit 2 for
    changes and drift, and a mistyped option or a wrong directory in CI must not read as those.

    Everything printed while a command runs, click's own error messages included, leaves
    through `safe_output`: no secret and no server's control sequence reaches the terminal.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
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
                raise Failed(error) from None


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


main.add_command(validate)
main.add_command(plan)
main.add_command(drift)
main.add_command(apply)
main.add_command(schema)
main.add_command(sandbox)
main.add_command(checkout_url)
main.add_command(portal_url)
main.add_command(export)
main.add_command(adopt)
