"""`reconcile drift DIR`: what changed in Konnect and Stripe behind git's back; writes nothing.

Exit codes: 0 no drift, 2 drift, 1 error. `--output json` prints one `DriftDocument` (schema:
`schemas/drift-output.json`), versioned by `format_version` (currently 2): `{format_version,
target, drifted, summary: {changed, deleted, unmanaged_match, stripe}, ignored_fields,
stripe_checks, items: [{address, class, message, fix, changed_at, fields: [{path, live,
manifest, sensitive}], notes}], not_managed, notes}`, addresses as `TYPE.NAME`. Sensitive
fields carry no values; `changed_at` is the `updated_at` of the object that changed where the
API has one, else null (Konnect names no author).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler.cli.events import ReadingShown
from reconciler.cli.exits import changes_present
from reconciler.cli.options import (
    directory_argument,
    no_color_option,
    options_of,
    output_option,
    skip_stripe_checks_option,
    target_option,
)
from reconciler.views.drift import render_drift_markdown, render_drift_text
from reconciler.views.drift_json import DriftDocument
from reconciler.workflows import Drifted, Options
from reconciler.workflows import drift as find_drift

SKIPPED_CHECKS = (
    "WARNING: Stripe checks were skipped (--skip-stripe-checks): Stripe drift (deleted "
    "customers, detached payment methods, revoked keys, ...) is not shown."
)


@click.command()
@directory_argument
@target_option
@output_option(
    ["text", "json", "markdown"],
    help="`json` for machines (versioned schema), `markdown` for an issue body.",
)
@no_color_option
@skip_stripe_checks_option(
    "Read only which Stripe account each installed app's key opens; Stripe-side drift is "
    "then not reported."
)
def drift(directory: Path, **flags: Any) -> None:
    """Report how the live state drifted from the manifests in DIRECTORY; change nothing.

    Reads like `plan` and reports managed fields changed out of band, declared resources
    missing live, same-named objects reconcile does not manage, and Stripe-side problems.
    `drift.ignore` in reconcile.yaml names fields that are not drift. Exits 0 when there is
    no drift, 2 when there is, 1 on error.
    """
    options = options_of(**flags)
    events = ReadingShown(options.output)
    drifted = find_drift(directory, options, events=events)
    _show(drifted, options, events.not_shown(drifted.header))
    if drifted.report.drifted:
        raise changes_present()


def _show(drifted: Drifted, options: Options, header: list[str]) -> None:
    notes = [*header, *([] if options.stripe_checks else [SKIPPED_CHECKS])]
    if options.output == "json":
        click.echo(DriftDocument.of(drifted.report, drifted.target, notes).to_json())
    elif options.output == "markdown":
        click.echo(render_drift_markdown(drifted.report, drifted.target), nl=False)
    else:
        for note in notes:
            click.echo(note)
        click.echo("")
        click.echo(render_drift_text(drifted.report, color=options.color), nl=False)
