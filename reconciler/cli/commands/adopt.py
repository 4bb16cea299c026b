"""`reconcile adopt DIR KIND/NAME...`: let reconcile manage live objects it did not create.

Each named manifest's live match (by key, as plan matches) gets the label managed-by:
reconcile, written back with every other field as read, so the next plan shows only the
real differences. Refused, before anything is written, when a name has no manifest, no live
match, or a match reconcile already manages.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.options import options_of, parse_resources, target_option
from reconciler.workflows import adopt as adopt_all


@click.command()
@click.argument("directory", type=click.Path(exists=True, path_type=Path))
@click.argument("resources", nargs=-1, required=True, metavar="KIND/NAME...")
@target_option
def adopt(directory: Path, resources: tuple[str, ...], target_name: str | None) -> None:
    """Mark the live objects that the manifests KIND/NAME match as managed by reconcile.

    Only the label managed-by: reconcile is added; run `plan` afterwards to see what else
    differs from the manifest.
    """
    options = options_of(target_name=target_name)
    for item in adopt_all(directory, parse_resources(resources), options):
        click.echo(
            f"Adopted {item.desired.address} (id {item.live.id}): added the label "
            "managed-by: reconcile."
        )
    click.echo("Run `reconcile plan` to see what else differs from the manifests.")
