"""`reconcile adopt [DIR] KIND/NAME...`: let reconcile manage live objects it did not create.

Each named manifest's live match (by key, as plan matches) gets the label managed-by:
reconcile, written back with every other field as read, so the next plan shows only the
real differences. Refused, before anything is written, when a name has no manifest, no live
match, or a match reconcile already manages.

DIR defaults to the current directory, as for `plan`. The first of several arguments is DIR
when it is a directory, or when it reads as neither KIND/NAME nor TYPE.NAME (so that a
missing directory is reported as one); `reconcile adopt DIR KIND/NAME` keeps working.

`--output json` prints one `AdoptDocument` (schema: `schemas/adopt-output.json`):
`{format_version, adopted: [{address, id}]}`.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.events import ReadingShown
from reconciler.cli.options import (
    leading_directory,
    names_a_resource,
    options_of,
    output_option,
    parse_resources,
    target_option,
)
from reconciler.views.export_json import AdoptDocument
from reconciler.workflows import adopt as adopt_all


@click.command()
@click.argument("arguments", nargs=-1, required=True, metavar="[DIR] KIND/NAME...")
@target_option
@output_option(["text", "json"], help="`json` prints one object for machines.")
def adopt(arguments: tuple[str, ...], target_name: str | None, output: str) -> None:
    """Mark the live objects that the manifests KIND/NAME match as managed by reconcile.

    The manifests are those in DIR (default: the current directory). Only the label
    managed-by: reconcile is added; run `plan` afterwards to see what else differs from the
    manifest.
    """
    directory, resources = leading_directory(arguments, is_directory=_starts_with_dir(arguments))
    if not resources:
        raise click.UsageError("Missing argument 'KIND/NAME...'.")
    options = options_of(target_name=target_name, output=output)
    events = ReadingShown(options.output)
    adopted = adopt_all(directory, parse_resources(resources), options, events=events)
    if options.output == "json":
        click.echo(AdoptDocument.of(adopted).model_dump_json(indent=2))
        return
    for item in adopted:
        click.echo(
            f"Adopted {item.desired.address} (id {item.live.id}): added the label "
            "managed-by: reconcile."
        )
    click.echo("Run `reconcile plan` to see what else differs from the manifests.")


def _starts_with_dir(arguments: tuple[str, ...]) -> bool:
    first = arguments[0]
    return len(arguments) > 1 and (Path(first).is_dir() or not names_a_resource(first))
