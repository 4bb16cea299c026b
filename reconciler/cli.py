"""The `reconcile` command line: a thin shell that parses, calls the engine and renders."""

from __future__ import annotations

import click

from reconciler import __version__
from reconciler.commands.adopt import adopt
from reconciler.commands.apply import apply
from reconciler.commands.drift import drift
from reconciler.commands.export import export
from reconciler.commands.onboarding import checkout_url, portal_url
from reconciler.commands.plan import plan
from reconciler.commands.sandbox import sandbox
from reconciler.commands.schema import schema
from reconciler.commands.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Billing configuration as code for Konnect Metering & Billing and Stripe."""


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
