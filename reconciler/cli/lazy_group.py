"""A click group that imports a command's module only when that command runs.

`reconcile --help` and shell completion must answer at once, and a command's module pulls in
pydantic models, httpx and stripe, or the sandbox's server: the group knows each command by the
module that holds it and by its one-line help, and imports that module on first use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (`package.module:attribute`) and the line `--help` lists it by."""

    location: str
    short_help: str

    def load(self) -> click.Command:
        module_name, attribute = self.location.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.location} is not a click command")
        return command


class LazyGroup(click.Group):
    """Commands registered by `lazy_commands`, loaded on first use; their short help is listed
    from the registration, so listing them imports nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self.add_command(self.lazy_commands[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        # As click's own listing: each line as long as the widest name leaves room for.
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = [(name, self._short_help(ctx, name, limit)) for name in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str:
        if name in self.lazy_commands and name not in self.commands:
            # Shortened as click shortens a command's own help, without loading the command.
            listed = click.Command(name, help=self.lazy_commands[name].short_help)
            return listed.get_short_help_str(limit=limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit=limit) if command else ""
