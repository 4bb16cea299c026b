"""Values YAML reads but a manifest must not hold, each refused at the character that is wrong:
tagged values their tag cannot read, strings where booleans belong, control characters and
bidirectional overrides."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.manifests.discovery import manifest_files
from reconciler.manifests.project_file import load_project

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
APP = "examples/stripe.yaml"
RLO = "\u202e"


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "examples"


def validate() -> Result:
    return CliRunner().invoke(main, ["validate", "examples"])


def refused(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stdout.splitlines()


def replace_line(path: Path, old: str, new: str) -> tuple[int, str]:
    """Replace the line `old` of `path` with `new`; its line number and the new line."""
    lines = path.read_text().splitlines()
    number = lines.index(old) + 1
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number, new


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("!!bool maybe", "the value cannot be read as !!bool"),
        ('!!bool ""', "the value cannot be read as !!bool"),
        ("!!timestamp notadate", "the value cannot be read as !!timestamp"),
        ("!!timestamp 2025-13-45", "the value cannot be read as !!timestamp"),
        ("!!float lots", "the value cannot be read as !!float"),
        ("!!int 0xZZ", "the value cannot be read as !!int"),
        ("9" * 5000, "the value cannot be read as !!int"),  # more digits than Python converts
        ("!!binary dHJ1ZQ==", "binary data (!!binary) has no place in a manifest"),
    ],
    ids=lambda value: value[:24],
)
def test_a_value_its_tag_cannot_read_is_an_error_at_the_value(
    examples: Path, value: str, problem: str
) -> None:
    line, _ = replace_line(examples / "stripe.yaml", "  livemode: false", f"  livemode: {value}")
    problems = refused(validate())
    assert f"{APP}:{line}:13: ?/?: YAML: {problem}" in problems


def test_binary_data_does_not_pass_for_a_name(examples: Path) -> None:
    # "c3RyaXBl" is base64 for "stripe": read as bytes, pydantic would take it for the name.
    line, _ = replace_line(examples / "stripe.yaml", "  name: stripe", "  name: !!binary c3RyaXBl")
    problems = refused(validate())
    assert f"{APP}:{line}:9: ?/?: YAML: binary data (!!binary) has no place in a manifest" in (
        problems
    )


def boolean_lines() -> list[tuple[str, int, int]]:
    """(file, line, column) of every boolean the examples write."""
    found = []
    for path in manifest_files(EXAMPLES, load_project(EXAMPLES).project.not_manifests).files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = re.search(r":\s+(true|false)\s*(#.*)?$", line)
            if match:
                relative = path.relative_to(REPO).as_posix()
                found.append((relative, number, match.start(1) + 1))
    return found


@pytest.mark.parametrize("written", ["'yes'", '"true"', "1"])
@pytest.mark.parametrize("where", boolean_lines(), ids=lambda where: f"{where[0]}:{where[1]}")
def test_a_boolean_is_true_or_false_not_a_string_or_number(
    examples: Path, where: tuple[str, int, int], written: str
) -> None:
    relative, line, column = where
    path = examples.parent / relative
    lines = path.read_text().splitlines()
    text = lines[line - 1]
    lines[line - 1] = re.sub(r"\b(true|false)\b", written, text, count=1)
    path.write_text("\n".join(lines) + "\n")
    # Without a valid `default: true` no profile is the default: that is reported too.
    (problem,) = [p for p in refused(validate()) if p.startswith(f"{relative}:{line}:")]
    assert problem.startswith(f"{relative}:{line}:{column}: ")
    assert problem.endswith(": expected true or false")


def test_the_examples_write_booleans_of_every_kind_that_has_them() -> None:
    files = {relative for relative, _, _ in boolean_lines()}
    assert {"examples/stripe.yaml", "examples/billing-profiles/self-serve.yaml"} <= files


def test_a_bidirectional_override_is_reported_where_it_is_written(examples: Path) -> None:
    line, text = replace_line(
        examples / "stripe.yaml", "  name: Stripe", f"  name: Stripe {RLO}ppa tseT"
    )
    assert refused(validate()) == [
        f"{APP}:{line}:{text.index(RLO) + 1}: ?/?: bidirectional control U+202E RIGHT-TO-LEFT "
        "OVERRIDE: it makes text display in another order than it is read; remove it"
    ]


def test_one_in_a_comment_too(examples: Path) -> None:
    line, text = replace_line(
        examples / "stripe.yaml", "  livemode: false", f"  livemode: false  # {RLO}eurt"
    )
    (problem,) = refused(validate())
    assert problem.startswith(f"{APP}:{line}:{text.index(RLO) + 1}: ?/?: bidirectional control")


@pytest.mark.parametrize(
    ("escape", "character"),
    [("\\u202E", "U+202E"), ("\\x07", "U+0007"), ("\\e", "U+001B"), ("\\r", "U+000D")],
)
def test_an_escape_spelling_a_control_is_reported_at_the_escape(
    examples: Path, escape: str, character: str
) -> None:
    line, text = replace_line(
        examples / "stripe.yaml",
        "  name: Stripe",
        f'  name: "Str\\\\x41{escape}ipe"',  # an escaped backslash first, then the control
    )
    (problem,) = refused(validate())
    column = text.index(escape) + 1
    assert problem.startswith(f"{APP}:{line}:{column}: StripeApp/stripe: ")
    assert character in problem


def test_a_control_character_written_as_it_is_is_reported_where_it_is(examples: Path) -> None:
    customer = examples / "customers" / "self-serve.yaml"
    line, text = replace_line(
        customer, "    name: Globex Corporation", "    name: Globex\x07Corporation"
    )
    column = text.index("\x07") + 1
    assert refused(validate()) == [
        f"examples/customers/self-serve.yaml:{line}:{column}: ?/?: YAML: control characters are "
        "not allowed (U+0007)"
    ]


def test_tabs_and_line_breaks_in_a_description_are_text(examples: Path) -> None:
    replace_line(
        examples / "stripe.yaml",
        "  description: Stripe account used for tax, invoicing and payments",
        '  description: "Stripe account\\tused for tax,\\ninvoicing and payments"',
    )
    result = validate()
    assert result.exit_code == 0, result.output
