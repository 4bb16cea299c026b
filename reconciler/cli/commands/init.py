"""`reconcile init [DIR]`: a new project, ready to validate, plan against the sandbox and commit."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.workflows.scaffolding import init as init_project


@click.command("init")
@click.argument(
    "directory", default=".", type=click.Path(file_okay=False, path_type=Path), required=False
)
@click.option(
    "--github",
    is_flag=True,
    help="Also write the GitHub workflows (plan on pull requests, apply on main, daily drift).",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@COMMIT",
    help="With --github: the reconcile action the workflows call, pinned by the full commit of "
    "a release tag.",
)
@click.option("--force", is_flag=True, help="Overwrite the files init writes if they exist.")
def init(directory: Path, github: bool, action: str | None, force: bool) -> None:
    """Create a new reconcile project in DIRECTORY (default: .).

    One manifest per kind with its editor schema, `reconcile.yaml` with a seeded sandbox target
    and a Konnect target reading KONNECT_TOKEN and STRIPE_API_KEY from the environment, and a
    `.gitignore` for `.reconcile/`. Existing files are never overwritten unless --force.
    """
    initialized = init_project(directory, github=github, force=force, action=action)
    for file in initialized.files:
        click.echo(f"Wrote {(directory / file).as_posix()}")
    click.echo(f"\nNext: reconcile validate {directory} && reconcile plan {directory}")
    if github:
        click.echo(
            "The workflows do nothing until the repository variable RECONCILE_TARGETS lists "
            'targets (e.g. ["konnect"]), each with its two environments: see docs/ci-github.md.'
        )
