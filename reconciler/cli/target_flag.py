"""`--target`, the one flag `validate` shares with the commands that reach an API.

Apart from the other shared flags, whose defaults come from the engine and the workflows:
`validate` works offline, and importing those would cost it the HTTP clients and every kind.
"""

from __future__ import annotations

import click

TARGET_HELP = "Target from reconcile.yaml; default: its default."

target_option = click.option("--target", "target_name", help=TARGET_HELP)
