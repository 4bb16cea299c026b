"""`reconcile completion SHELL` prints click's completion script, and the completion it calls
back into answers with reconcile's commands."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.cli import main


@pytest.mark.parametrize(
    ("shell", "hook"),
    [
        ("bash", "_RECONCILE_COMPLETE=bash_complete"),
        ("zsh", "_RECONCILE_COMPLETE=zsh_complete"),
        ("fish", "_RECONCILE_COMPLETE=fish_complete"),
    ],
)
def test_prints_the_script_of_the_shell(shell: str, hook: str) -> None:
    result = CliRunner().invoke(main, ["completion", shell])

    assert result.exit_code == 0
    assert hook in result.output


def test_the_script_calls_back_for_commands_and_options() -> None:
    def complete(words: str) -> list[str]:
        environment = {
            "_RECONCILE_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        result = CliRunner().invoke(main, [], env=environment, prog_name="reconcile")
        return result.output.splitlines()

    assert complete("reconcile in") == ["plain,init"]
    assert "plain,--github" in complete("reconcile init --g")


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["completion", "tcsh"])

    assert result.exit_code == 1
    assert "tcsh" in result.output
