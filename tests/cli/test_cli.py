"""Usage errors exit 1 for every command, so that 2 only ever means changes or drift."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main

MISSING = "no-such-directory"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", MISSING], "Path 'no-such-directory' does not exist"),
        (["drift", MISSING], "Path 'no-such-directory' does not exist"),
        (["apply", MISSING], "Path 'no-such-directory' does not exist"),
        (["validate", MISSING], "Path 'no-such-directory' does not exist"),
        (["plan", ".", "--detailed-exitcodes"], "Did you mean '--detailed-exitcode'?"),
        (["drift", ".", "--output", "yaml"], "'yaml' is not one of"),
        (["plan", ".", "--refresh=maybe"], "'maybe' is not a valid boolean"),
        (["apply", ".", "--parallelism", "0"], "0 is not in the range 1<=x<=64"),
        (["adopt"], "Missing argument '[DIR] KIND/NAME...'"),
        (["checkout-url"], "Missing argument '[DIR] CUSTOMER'"),
        (["schema", "nope.json"], "one of addon.json, adopt-output.json"),
        (["sandbox", "nope"], "No such command 'nope'"),
        (["nope"], "No such command 'nope'"),
        (["--nope"], "No such option '--nope'"),
    ],
)
def test_usage_errors_exit_1_with_clicks_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, prog_name="reconcile")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Usage: reconcile" in result.stderr


def test_help_and_version_still_exit_0() -> None:
    assert CliRunner().invoke(main, ["plan", "--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
