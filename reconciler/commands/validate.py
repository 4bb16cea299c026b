"""`reconcile validate` (being built)."""

from __future__ import annotations

import click


@click.command()
def validate() -> None:
    """Not available yet."""
    raise click.ClickException("'validate' is not available yet")
