"""`reconcile completion SHELL`: the script that makes SHELL complete reconcile's commands,
options, targets' directories and file names, as click generates it."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
PROGRAM = "reconcile"
# The variable click's completion reads; named after the program, as click would name it.
COMPLETE_VARIABLE = "_RECONCILE_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for SHELL.

    Load it in the current shell with `eval "$(reconcile completion bash)"` (zsh alike;
    fish: `reconcile completion fish | source`), or save it where the shell loads completions.
    """
    completer = get_completion_class(shell)
    if completer is None:  # click knows every shell of SHELLS; kept for its type
        raise click.UsageError(f"no completion for {shell}")
    root = ctx.find_root().command
    click.echo(completer(root, {}, PROGRAM, COMPLETE_VARIABLE).source(), nl=False)
