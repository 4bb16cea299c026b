"""`reconcile sandbox` (being built)."""

from __future__ import annotations

import click


@click.group()
def sandbox() -> None:
    """Run the embedded Konnect + Stripe sandbox."""
