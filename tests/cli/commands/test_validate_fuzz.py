"""Byte-level mutations of the examples: whatever the input, `reconcile validate` says valid
(exit 0) or lists each problem at its `path:line:col:` (exit 1), never a traceback.

The mutants are what editors, merges and attackers produce: flipped bits, cut files, YAML's
special characters, tags, anchors and aliases, control and bidirectional characters, huge
numbers, deleted and duplicated lines (keys). Runs are reproducible (derandomized, no example
database) and bounded: each validation has structural limits (file size, alias expansion),
and the timeout mark is an upper bound that only a hang would reach.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FILES = sorted(
    path.relative_to(EXAMPLES).as_posix()
    for path in EXAMPLES.rglob("*.y*ml")
    # Broken sets, and the environments example: a project of its own.
    if not {"invalid", "environments"} & set(path.relative_to(EXAMPLES).parts)
)
LAUGHS = (
    b"\n---\nl0: &l0 ["
    + b",".join([b"lol"] * 9)
    + b"]\n"
    + b"".join(
        b"l%d: &l%d [" % (level, level) + b",".join([b"*l%d" % (level - 1)] * 9) + b"]\n"
        for level in range(1, 7)
    )
)
SPECIAL = [
    # YAML's indicators, directives and document markers
    *(bytes([c]) for c in b"&*!|>'\"%@`#{}[],?:-<\\"),
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"%TAG ! tag:example.com,2000:\n",
    b"<<: *a\n",
    b"? ",
    # tags, anchors and aliases
    b"!!bool ",
    b"!!timestamp ",
    b"!!binary ",
    b"!!set ",
    b"!!omap ",
    b"!!float ",
    b"!!int ",
    b"!!str ",
    b"!!null ",
    b"!!python/object:os.system ",
    b"!custom ",
    b"&a ",
    b"*a",
    b"&a [*a, *a]",
    b"*undefined ",
    LAUGHS,
    # escapes of characters a manifest must not hold
    b'"\\u202e"',
    b'"\\x00"',
    b'"\\e"',
    b'"\\UFFFFFFFF"',
    # control and invisible characters, broken UTF-8
    *(bytes([c]) for c in range(32)),
    b"\x7f",
    "\u0085".encode(),
    "\u202e".encode(),
    "\u2066".encode(),
    "\u2028".encode(),
    "\ufeff".encode(),
    b"\xff",
    b"\xc3",
    # huge and odd numbers
    b"9" * 5000,
    b"-" + b"9" * 400,
    b"0x" + b"f" * 2000,
    b"1e999999",
    b".inf",
    b".nan",
    b"0o777",
    b"1_000",
    b"2001-13-45",
    b"2001-12-14t21:59:43.10-05:00",
]
POSITIONED = re.compile(r"^[^\s:][^:]*:\d+:\d+: ")
PYTHON_ERRORS = re.compile(r"Traceback|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|StopIteration")


@dataclass(frozen=True)
class Mutation:
    kind: str
    at: float  # where, as a fraction of the file
    payload: bytes = b""
    bit: int = 0

    def apply(self, data: bytes) -> bytes:
        index = int(self.at * len(data))
        if self.kind == "flip" and data:
            index = min(index, len(data) - 1)
            return data[:index] + bytes([data[index] ^ (1 << self.bit)]) + data[index + 1 :]
        if self.kind == "truncate":
            return data[:index]
        if self.kind == "insert":
            return data[:index] + self.payload + data[index:]
        lines = data.splitlines(keepends=True)
        if not lines:
            return data
        line = min(int(self.at * len(lines)), len(lines) - 1)
        if self.kind == "delete line":
            return b"".join(lines[:line] + lines[line + 1 :])
        return b"".join(lines[: line + 1] + lines[line:])  # "duplicate line"


FRACTIONS = st.floats(min_value=0, max_value=1)
MUTATIONS = st.one_of(
    st.builds(Mutation, st.just("flip"), FRACTIONS, bit=st.integers(0, 7)),
    st.builds(Mutation, st.just("truncate"), FRACTIONS),
    st.builds(Mutation, st.just("insert"), FRACTIONS, st.sampled_from(SPECIAL)),
    st.builds(Mutation, st.sampled_from(["delete line", "duplicate line"]), FRACTIONS),
)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns(".reconcile"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "examples"


@pytest.mark.timeout(240)
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(FILES),
    mutations=st.lists(MUTATIONS, min_size=1, max_size=3),
)
def test_a_mutated_example_is_valid_or_reported_at_positions(
    examples: Path, name: str, mutations: list[Mutation]
) -> None:
    path = examples / name
    original = path.read_bytes()
    mutated = original
    for mutation in mutations:
        mutated = mutation.apply(mutated)
    path.write_bytes(mutated)
    try:
        result = CliRunner().invoke(main, ["validate", "examples"])
    finally:
        path.write_bytes(original)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert not PYTHON_ERRORS.search(result.output), result.output
    if result.exit_code == 0:
        assert result.stdout.endswith(": valid\n"), result.output
    else:
        problems = result.stdout.splitlines()
        assert problems, result.output
        unpositioned = [line for line in problems if not POSITIONED.match(line)]
        assert unpositioned == [], result.output
        assert re.fullmatch(r"Error: \d+ errors? in \d+ files?\n", result.stderr), result.stderr


def test_the_unmutated_examples_are_valid(examples: Path) -> None:
    assert len(FILES) == 12  # ten manifest files, the project file and the sandbox seed
    result = CliRunner().invoke(main, ["validate", "examples"])
    assert result.stdout == "13 documents in 10 files: valid\n"
