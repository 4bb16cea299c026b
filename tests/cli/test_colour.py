"""Colour follows the conventions terminals share: NO_COLOR, FORCE_COLOR, TERM=dumb."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.views.style import use_colour
from tests.e2e.worlds import STRIPE_APP, write_manifests

ESCAPE = "\x1b["
GREEN_PLUS = "\x1b[32m\x1b[22m+\x1b[0m"


def plan_with(project: Path, env: dict[str, str | None], *args: str) -> Result:
    write_manifests(project, STRIPE_APP)
    return CliRunner().invoke(main, ["plan", str(project), *args], env=env)


def test_force_color_colours_the_symbols_through_a_pipe(project: Path) -> None:
    result = plan_with(project, {"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm"})
    assert result.exit_code == 0, result.output
    assert f'  {GREEN_PLUS} stripe_app "stripe" {{' in result.stdout
    assert f"      {GREEN_PLUS} name = " in result.stdout
    assert "\x1b[97m" not in result.stdout  # no bright white


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, ()),
        ({"FORCE_COLOR": "1", "NO_COLOR": None}, ("--no-color",)),
        ({"FORCE_COLOR": "0", "NO_COLOR": None}, ()),
    ],
)
def test_no_color_wins_over_force_color(
    project: Path, env: dict[str, str | None], args: tuple[str, ...]
) -> None:
    result = plan_with(project, env, *args)
    assert result.exit_code == 0, result.output
    assert '  + stripe_app "stripe" {' in result.stdout
    assert ESCAPE not in result.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "coloured"),
    [
        ({}, True),
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "dumb"}, False),
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
    ],
)
def test_a_terminal_is_coloured_unless_it_says_otherwise(
    environ: dict[str, str], coloured: bool
) -> None:
    assert use_colour(environ=environ, stream=Terminal()) is coloured
    assert use_colour(True, environ=environ, stream=Terminal()) is False


def test_a_pipe_is_plain_unless_forced() -> None:
    assert use_colour(environ={}, stream=io.StringIO()) is False
    assert use_colour(environ={"FORCE_COLOR": "1"}, stream=io.StringIO()) is True
