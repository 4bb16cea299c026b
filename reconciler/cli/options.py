"""The flags several commands share, declared once, and their parsing into one `Options`.

A command stacks the decorators it takes (`@target_option`, `@output_option(...)`, ...), then
hands its keyword arguments to `options_of`, which builds the `Options` the library reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from reconciler.cli.target_flag import target_option as target_option
from reconciler.core.actions import Address
from reconciler.engine.applying.executor import DEFAULT_PARALLELISM
from reconciler.kinds import KIND_ADDRESS_TYPES
from reconciler.views.style import use_colour
from reconciler.workflows import Options
from reconciler.workflows.options import DEFAULT_CONCURRENCY, Output

CommandT = TypeVar("CommandT", bound=Callable[..., Any])

# DIR: the manifests, by default those of the current directory, as `terraform plan` reads its own.
directory_argument = click.argument(
    "directory", type=click.Path(exists=True, path_type=Path), default=".", required=False
)
no_color_option = click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
rate_limit_option = click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second per API, at most; overrides the target's rate_limit.",
)
concurrency_option = click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Reads in flight at once per API.",
)
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Writes in flight at once; halves on 429 and climbs back.",
)
refresh_option = click.option(
    "--refresh",
    type=click.BOOL,
    default=True,
    show_default=True,
    help="`--refresh=false` skips the per-customer billing reads (and Stripe checks) of links "
    "whose applied-digest label matches the manifest: faster, but blind to out-of-band edits "
    "of their billing (`drift` always reads everything).",
)


def output_option(
    choices: Sequence[Output], help: str | None = None
) -> Callable[[CommandT], CommandT]:
    return click.option(
        "-o",
        "--output",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
        help=help,
    )


def prune_option(help: str) -> Callable[[CommandT], CommandT]:
    return click.option("--prune", is_flag=True, help=help)


def resource_option(help: str | None = None) -> Callable[[CommandT], CommandT]:
    """`-r KIND/NAME`, repeatable; parsed by `parse_resources` where the command chooses."""
    return click.option(
        "-r", "--resource", "resources", multiple=True, metavar="KIND/NAME", help=help
    )


def skip_stripe_checks_option(help: str) -> Callable[[CommandT], CommandT]:
    return click.option("--skip-stripe-checks", is_flag=True, help=help)


def parse_resource(text: str) -> Address:
    """`KIND/NAME` (`BillingProfile/enterprise`) or an address (`billing_profile.enterprise`)."""
    kind, slash, name = text.partition("/")
    if slash and kind in KIND_ADDRESS_TYPES and name:
        return Address(type=KIND_ADDRESS_TYPES[kind], name=name)
    try:
        return Address.parse(text)
    except ValueError:
        kinds = ", ".join(KIND_ADDRESS_TYPES)
        raise click.BadParameter(f"{text!r}: expected KIND/NAME with KIND one of {kinds}") from None


def parse_resources(texts: Sequence[str]) -> tuple[Address, ...]:
    return tuple(parse_resource(text) for text in texts)


def leading_directory(
    arguments: Sequence[str], *, is_directory: bool
) -> tuple[Path, tuple[str, ...]]:
    """`[DIR] REST...`: DIR (default: the current directory) and the rest, for the commands
    whose other positionals follow DIR; whether the first argument is DIR the command decides."""
    if not is_directory:
        return Path(), tuple(arguments)
    kind = click.Path(exists=True, file_okay=False, path_type=Path)
    try:
        directory: Path = kind.convert(arguments[0], None, click.get_current_context(silent=True))
    except click.BadParameter as error:
        error.param_hint = "'DIR'"
        raise
    return directory, tuple(arguments[1:])


def names_a_resource(text: str) -> bool:
    """`text` reads as KIND/NAME or TYPE.NAME rather than as a directory."""
    kind, slash, name = text.partition("/")
    if slash:
        return kind in KIND_ADDRESS_TYPES and bool(name)
    type_, dot, name = text.partition(".")
    return bool(type_ and dot and name)


def options_of(
    *,
    target_name: str | None = None,
    resources: Sequence[str] = (),
    prune: bool = False,
    skip_stripe_checks: bool = False,
    refresh: bool = True,
    concurrency: int = DEFAULT_CONCURRENCY,
    parallelism: int = DEFAULT_PARALLELISM,
    rate_limit: float | None = None,
    auto_approve: bool = False,
    output: str = "text",
    no_color: bool = False,
) -> Options:
    """The command's flags as one `Options`; a malformed `-r` is a usage error."""
    color = use_colour(no_color)
    context = click.get_current_context(silent=True)
    if context is not None:
        # click.echo drops colour on a pipe unless told: FORCE_COLOR must get through it.
        context.color = color
    return Options(
        target=target_name,
        resources=parse_resources(resources),
        prune=prune,
        stripe_checks=not skip_stripe_checks,
        refresh=refresh,
        concurrency=concurrency,
        parallelism=parallelism,
        rate_limit=rate_limit,
        auto_approve=auto_approve,
        output=cast(Output, output),
        color=color,
    )
