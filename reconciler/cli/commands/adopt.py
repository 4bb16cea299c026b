"""`reconcile adopt DIR KIND/NAME...`: let reconcile manage live objects it did not create.

Each named manifest's live match (by key, as plan matches) gets the label managed-by:
reconcile, written back with every other field as read, so the next plan shows only the
real differences. Refused, before anything is written, when a name has no manifest, no live
match, or a match reconcile already manages.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.commands.plan import parse_resource
from reconciler.clients.errors import ClientError
from reconciler.core.secrets import MissingSecret
from reconciler.engine.planning.adoption import AdoptionRefused, adopt_all, find_adoptable
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.targets import UnknownTarget, connect


@click.command()
@click.argument("directory", type=click.Path(exists=True, path_type=Path))
@click.argument("resources", nargs=-1, required=True, metavar="KIND/NAME...")
@click.option("--target", "target_name", help="Target from reconcile.yaml; default: its default.")
def adopt(directory: Path, resources: tuple[str, ...], target_name: str | None) -> None:
    """Mark the live objects that the manifests KIND/NAME match as managed by reconcile.

    Only the label managed-by: reconcile is added; run `plan` afterwards to see what else
    differs from the manifest.
    """
    manifests = load_manifests(directory)
    addresses = [parse_resource(text) for text in resources]
    try:
        with connect(manifests, target_name) as connection:
            sources = connection.sources
            found = find_adoptable(manifests, RESOURCES, sources, connection.secrets, addresses)
            adopt_all(found, sources)
    except (AdoptionRefused, MissingSecret, UnknownTarget, ClientError) as error:
        raise click.ClickException(str(error)) from None
    for item in found:
        click.echo(
            f"Adopted {item.desired.address} (id {item.live.id}): added the label "
            "managed-by: reconcile."
        )
    click.echo("Run `reconcile plan` to see what else differs from the manifests.")
