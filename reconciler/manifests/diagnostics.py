"""Diagnostics: one problem found in the manifests, located in its file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from reconciler.manifests.secret_patterns import redact

UNKNOWN = "?"


class Position(NamedTuple):
    """1-based line and column in a YAML file (a tuple: loading makes one per node)."""

    line: int
    column: int


START = Position(1, 1)


def position_at(text: str, index: int) -> Position:
    """Where the character at `index` of `text` is written (lines end with a line feed)."""
    line_start = text.rfind("\n", 0, index) + 1
    return Position(text.count("\n", 0, index) + 1, index - line_start + 1)


@dataclass(frozen=True)
class Diagnostic:
    """A problem a user must fix, printed as `path:line:col: kind/name: message`.

    `code` names the class of problem (`unknown-field`, `bad-duration`, ...) so that tools and
    tests can tell problems apart without parsing messages. Messages never echo input values:
    a misplaced secret must not leak through an error.
    """

    file: Path
    position: Position
    code: str
    message: str
    kind: str = UNKNOWN
    name: str = UNKNOWN
    # "warning": advice on valid manifests (`manifests.advice`); it never fails validation.
    severity: str = "error"

    def __post_init__(self) -> None:
        # Names, keys and paths in a message come from the manifest: never let a secret through.
        for field in ("message", "kind", "name"):
            object.__setattr__(self, field, redact(getattr(self, field)))

    @property
    def subject(self) -> str:
        return f"{self.kind}/{self.name}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file.as_posix(), self.position.line, self.position.column, self.message)

    def format(self, base: Path | None = None) -> str:
        return (
            f"{display_path(self.file, base)}:{self.position.line}:{self.position.column}: "
            f"{self.subject}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"
        )

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        return {
            "file": display_path(self.file, base),
            "line": self.position.line,
            "column": self.position.column,
            "kind": self.kind,
            "name": self.name,
            "code": self.code,
            "message": self.message,
        }


def display_path(path: Path, base: Path | None = None) -> str:
    """The path relative to `base` (the current directory by default) when it lies below it."""
    anchor = (base or Path.cwd()).resolve()
    # The path itself stays unresolved: a broken or looping symbolic link is named as written.
    try:
        return (path.parent.resolve() / path.name).relative_to(anchor).as_posix()
    except ValueError:
        return path.as_posix()


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
