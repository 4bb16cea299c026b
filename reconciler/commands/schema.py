"""`reconcile schema` (being built)."""

from __future__ import annotations

import click


@click.command()
def schema() -> None:
    """Not available yet."""
    raise click.ClickException("'schema' is not available yet")
