"""The way out: control characters neutralised, our styling kept, secrets cut, files private."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.core.safe_output import (
    CARRIAGE_RETURN,
    ERASE_LINE,
    SafeStream,
    clean,
    print_clean_traceback,
    safe_standard_streams,
    write_private_text,
)
from reconciler.manifests.secret_patterns import register_secret
from reconciler.views.style import style

TOKEN = "kpat_" + "Zq7Xw2Lm9Pv4Rt6Yb1Nc8Hd3Jf5Gk0SsQe"
SERVER_TEXT = "name \x1b[32mgreen\x1b[0m \x1b]0;title\x07 \x9b2J \r\x1b[K forged"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_control_characters_are_spelled_out_and_json_reads_the_same() -> None:
    document = {"name": "a\x1b[31mb\x9bc\x7fd\te\nf"}
    printed = json.dumps(document, ensure_ascii=False)
    assert "\x9b" in printed  # JSON escapes C0 characters, not C1 ones
    cleaned = clean(printed)
    assert cleaned == '{"name": "a\\u001b[31mb\\u009bc\\u007fd\\te\\nf"}'
    assert json.loads(cleaned) == document
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"


def test_a_terminal_gets_our_styling_and_none_from_a_server() -> None:
    terminal = Terminal()
    stream = SafeStream(terminal)
    stream.write(style("Apply complete!", "green", bold=True) + " " + SERVER_TEXT + "\n")
    stream.write(CARRIAGE_RETURN + "[1/2]" + CARRIAGE_RETURN + ERASE_LINE)
    shown = terminal.getvalue()
    assert shown.startswith("\x1b[32m\x1b[1mApply complete!\x1b[0m name \\u001b[32mgreen")
    assert "\\u001b]0;title\\u0007 \\u009b2J \\u000d\\u001b[K forged\n" in shown
    assert shown.endswith("\n\r[1/2]\r\x1b[K")


def test_a_servers_text_inside_our_styling_is_neutralised_like_any_other() -> None:
    terminal = Terminal()
    SafeStream(terminal).write(style(SERVER_TEXT, "red"))
    shown = terminal.getvalue()
    assert shown.startswith("\x1b[31m\x1b[22mname \\u001b[32mgreen")
    assert shown.endswith("forged\x1b[0m")
    assert shown.count("\x1b") == 3


def test_files_get_no_styling_at_all() -> None:
    assert clean(style("done", "green") + CARRIAGE_RETURN) == "done"


def test_the_standard_streams_are_cut_of_registered_secrets_while_the_block_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    register_secret(TOKEN)
    with safe_standard_streams():
        print(f"Authorization: Bearer {TOKEN}")
        print(f"key ...{TOKEN[-8:]}", file=sys.stderr)
    print(f"past the block: {TOKEN[-8:]}")
    captured = capsys.readouterr()
    assert captured.out == f"Authorization: Bearer <redacted>\npast the block: {TOKEN[-8:]}\n"
    assert captured.err == "key ...<redacted>\n"


def test_a_faults_traceback_is_printed_cleaned(capsys: pytest.CaptureFixture[str]) -> None:
    register_secret(TOKEN)
    try:
        raise RuntimeError(f"lost Bearer {TOKEN} \x1b]0;title\x07")
    except RuntimeError as error:
        print_clean_traceback(RuntimeError, error, error.__traceback__)
    printed = capsys.readouterr().err
    assert printed.startswith("Traceback (most recent call last):")
    assert printed.endswith("RuntimeError: lost Bearer <redacted> \\u001b]0;title\\u0007\n")


@pytest.fixture
def umask_277() -> Iterator[None]:
    previous = os.umask(0o277)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("umask_022")
def test_a_private_file_is_its_owners_even_where_a_readable_one_stood(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")
    path.chmod(0o644)
    register_secret(TOKEN)
    write_private_text(path, f'{{"error": "Bearer {TOKEN}"}}\n')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == '{"error": "Bearer <redacted>"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.usefixtures("umask_277")
def test_a_stricter_umask_narrows_a_private_file_further(tmp_path: Path) -> None:
    path = tmp_path / "plan.out"
    write_private_text(path, "{}\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
