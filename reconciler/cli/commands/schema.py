"""`reconcile schema`: JSON Schemas of the manifest kinds, generated from the models."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.errors import ReconcileError
from reconciler.manifests.reference import render_reference
from reconciler.manifests.schemas import ANY_MANIFEST_FILE, render, stale_files, write_schemas
from reconciler.schema_files import schema_files

DEFAULT_DIRECTORY = Path("schemas")


class SchemasStale(ReconcileError):
    """The schema files in the directory are not those the models generate."""


@click.command()
@click.argument("file_name", required=False, default=ANY_MANIFEST_FILE)
@click.option("--write", is_flag=True, help="Write every schema file into --dir.")
@click.option("--check", is_flag=True, help="Exit 1 when the files in --dir are out of date.")
@click.option("--reference", is_flag=True, help="Print the Markdown manifest reference.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIRECTORY,
    show_default=True,
)
def schema(file_name: str, write: bool, check: bool, reference: bool, directory: Path) -> None:
    """Print the JSON Schema FILE_NAME (default: manifest.json, any kind), or write them all.

    Schemas: one per kind (stripe-app.json, tax-code.json, billing-profile.json,
    customer-billing.json, meter.json, feature.json, plan.json, addon.json), manifest.json
    (any kind), project.json (reconcile.yaml), and what `--output json` prints:
    validate-output.json, plan-output.json, apply-report.json, drift-output.json,
    export-output.json, export-environments-output.json, adopt-output.json,
    checkout-output.json and portal-output.json.
    """
    if write:
        for path in write_schemas(directory, schema_files()):
            click.echo(f"wrote {path.as_posix()}")
    elif check:
        stale = stale_files(directory, schema_files())
        if stale:
            raise SchemasStale(
                f"out of date in {directory.as_posix()}: {', '.join(stale)}; "
                "run `reconcile schema --write`"
            )
        click.echo(f"{directory.as_posix()}: up to date")
    elif reference:
        click.echo(render_reference(), nl=False)
    else:
        schemas = schema_files()
        if file_name not in schemas:
            raise click.BadParameter(f"one of {', '.join(sorted(schemas))}", param_hint="FILE_NAME")
        click.echo(render(schemas[file_name]), nl=False)
