"""Reading YAML manifests with the position of every node, so errors can point at them."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.manifests.diagnostics import START, UNKNOWN, Diagnostic, Position, display_path
from reconciler.manifests.references import Location

MANIFEST_SUFFIXES = (".yaml", ".yml")
PROJECT_FILE_NAMES = ("reconcile.yaml", "reconcile.yml")
_MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's parser, when PyYAML was built with it, reads large manifest sets several times
# faster; both record the same line and column for every node.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Scalar:
    """A scalar as written in the file: mapping keys count too."""

    loc: Location
    text: str
    position: Position


@dataclass
class PositionMap:
    """Where each path of a document is written: its key, and its value."""

    keys: dict[Location, Position] = field(default_factory=dict)
    values: dict[Location, Position] = field(default_factory=dict)

    def locate(self, loc: Location, *, prefer_key: bool = True) -> Position:
        """The position of `loc`, or of its nearest recorded ancestor."""
        for depth in range(len(loc), -1, -1):
            prefix = loc[:depth]
            found = self.keys.get(prefix) if prefer_key else None
            found = found or self.values.get(prefix) or self.keys.get(prefix)
            if found is not None:
                return found
        return START


@dataclass(frozen=True)
class SourceDocument:
    """One YAML document of a file, as plain data plus where each part of it was written."""

    file: Path
    index: int
    data: Any
    positions: PositionMap
    scalars: tuple[Scalar, ...]

    @property
    def start(self) -> Position:
        return self.positions.values.get((), START)

    def outline(self) -> SourceDocument:
        """Only where the document starts: what is kept of it once it has been validated.

        The data, every position and every scalar serve validation alone; for 10,000
        manifests they would hold some 100 MB through the whole plan.
        """
        positions = PositionMap(values={(): self.start})
        return SourceDocument(self.file, self.index, None, positions, ())

    @property
    def kind(self) -> str:
        return _text_field(self.data, "kind")

    def where(self, loc: Location = ()) -> str:
        """`file:line` of `loc`, for messages that point at another document."""
        return f"{display_path(self.file)}:{self.positions.locate(loc).line}"

    @property
    def name(self) -> str:
        metadata = self.data.get("metadata") if isinstance(self.data, dict) else None
        return _text_field(metadata, "name")


@dataclass
class LoadedFile:
    documents: list[SourceDocument]
    diagnostics: list[Diagnostic]


def _text_field(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else UNKNOWN


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Walk:
    """One pass over a document's node tree, recording positions, scalars and duplicate keys."""

    positions: PositionMap = field(default_factory=PositionMap)
    scalars: list[Scalar] = field(default_factory=list)
    duplicates: list[tuple[Position, str, Position]] = field(default_factory=list)

    def visit(
        self, node: Node, loc: Location, active: frozenset[int] = frozenset(), *, own: bool = True
    ) -> None:
        # The last of duplicate keys wins, as in the loaded data; a merged mapping (`<<`) is
        # not the position of the mapping it is merged into.
        if own:
            self.positions.values[loc] = _position(node)
        if id(node) in active:  # an alias pointing at its own ancestor
            return
        inner = active | {id(node)}
        if isinstance(node, ScalarNode):
            self.scalars.append(Scalar(loc, str(node.value), _position(node)))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.visit(item, (*loc, index), inner)
        elif isinstance(node, MappingNode):
            self._visit_mapping(node, loc, inner)

    def _visit_mapping(self, node: MappingNode, loc: Location, active: frozenset[int]) -> None:
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                self.visit(value_node, loc, active, own=False)
                continue
            key = str(key_node.value)
            key_position = _position(key_node)
            self.scalars.append(Scalar((*loc, key), key, key_position))
            if key in seen:
                self.duplicates.append((key_position, key, seen[key]))
            seen.setdefault(key, key_position)
            self.positions.keys[(*loc, key)] = key_position
            self.visit(value_node, (*loc, key), active)


def load_text(file: Path, text: str) -> LoadedFile:
    """Every document of a YAML text; a syntax error ends the file with a diagnostic."""
    loaded = LoadedFile([], [])
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_LOADER)):
            _add_document(loaded, file, index, node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else START
        problem = error.problem or "invalid YAML"
        loaded.diagnostics.append(Diagnostic(file, position, "yaml-syntax", f"YAML: {problem}"))
    except yaml.YAMLError:
        loaded.diagnostics.append(Diagnostic(file, START, "yaml-syntax", "YAML: unreadable"))
    except RecursionError:
        loaded.diagnostics.append(Diagnostic(file, START, "yaml-syntax", "YAML: nested too deeply"))
    return loaded


def _add_document(loaded: LoadedFile, file: Path, index: int, node: Node | None) -> None:
    if node is None:
        return
    walk = _Walk()
    walk.visit(node, ())
    start = walk.positions.values[()]
    try:
        data = SafeConstructor().construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        problem = getattr(error, "problem", None) or "a value cannot be read"
        loaded.diagnostics.append(Diagnostic(file, start, "yaml-syntax", f"YAML: {problem}"))
        return
    if data is None:
        return
    document = SourceDocument(file, index, data, walk.positions, tuple(walk.scalars))
    for position, key, first in walk.duplicates:
        loaded.diagnostics.append(
            Diagnostic(
                file,
                position,
                "duplicate-key",
                f"duplicate key '{key}' (first at line {first.line})",
                document.kind,
                document.name,
            )
        )
    loaded.documents.append(document)


def read_file(file: Path) -> LoadedFile:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return LoadedFile([], [Diagnostic(file, START, "unreadable-file", "not a UTF-8 text file")])
    return load_text(file, text)


def manifest_files(root: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """YAML files under `root` in a stable order, skipping hidden paths and the project file."""
    if root.is_file():
        return [root]
    return sorted(path for path in _candidates(root) if not _excluded(path, root, exclude))


def _candidates(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        hidden = any(part.startswith(".") for part in relative.parts)
        is_project_file = relative.as_posix() in PROJECT_FILE_NAMES
        if (
            path.is_file()
            and path.suffix in MANIFEST_SUFFIXES
            and not hidden
            and not is_project_file
        ):
            yield path


def _excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    # `*` also crosses `/`, so `invalid/*` covers everything below `invalid/`.
    relative = path.relative_to(root).as_posix()
    return any(
        fnmatch.fnmatchcase(relative, pattern)
        or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )
