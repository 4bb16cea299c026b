"""Reading YAML manifests with the position of every node, so errors can point at them."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.manifests.characters import (
    describe,
    escaped_character,
    has_forbidden,
    written_characters,
)
from reconciler.manifests.diagnostics import (
    START,
    UNKNOWN,
    Diagnostic,
    Position,
    display_path,
    position_at,
)
from reconciler.manifests.references import Location
from reconciler.manifests.yaml_limits import MAX_ALIAS_NODES, MAX_FILE_BYTES, alias_overflow

PROJECT_FILE_NAMES = ("reconcile.yaml", "reconcile.yml")
_ENV_REFERENCE = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# libyaml's parser, when PyYAML was built with it, reads large manifest sets several times
# faster; both record the same line and column for every node.
_PARSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Tuples made without NamedTuple's own constructor, a Python function: loading makes one per
# scalar and per position, and through it they cost half of reading a document.
_new = tuple.__new__


class _ManifestLoader(_PARSER):  # type: ignore[valid-type,misc]
    """The safe loader with PyYAML's resolver written for what the safe loader configures.

    libyaml parses in C but asks this Python object for the tag of every node (and tells it
    of every step down and up, for path resolvers, which the safe loader has none of): at
    10,000 manifests these calls were a third of composing. Tags are the same: the implicit
    resolvers of the first character (and those of any character), else the default tag.
    """

    _implicit: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: resolvers + _PARSER.yaml_implicit_resolvers.get(None, [])
        for first, resolvers in _PARSER.yaml_implicit_resolvers.items()
    }
    _wildcard: ClassVar[list[tuple[str, re.Pattern[str]]]] = _PARSER.yaml_implicit_resolvers.get(
        None, []
    )
    _defaults: ClassVar[dict[type[Node], str]] = {
        ScalarNode: _STR_TAG,
        SequenceNode: _SEQ_TAG,
        MappingNode: _MAP_TAG,
    }

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in self._implicit.get(value[0] if value else "", self._wildcard):
                if regexp.match(value):
                    return tag
        return self._defaults[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to follow."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to follow."""


_LOADER: type[yaml.SafeLoader] = _ManifestLoader


class Scalar(NamedTuple):
    """A scalar as written in the file: mapping keys count too (a tuple: one per scalar)."""

    loc: Location
    text: str
    position: Position
    # How it is written: "" plain, "'" or '"' quoted, "|" or ">" a block.
    style: str = ""


@dataclass(slots=True)
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


class Reference(NamedTuple):
    """A scalar whose text holds `${`: a var or an env reference, or text much like one.

    Recorded while reading, with where it is written, since vars are put in place and env
    references kept in every document that has them; the other scalars are found again only
    for a diagnostic."""

    # Its place among the document's scalars (`SourceDocument.texts`).
    place: int
    scalar: Scalar
    is_key: bool


class _Detail(Protocol):
    def of(self, index: int) -> tuple[PositionMap, tuple[Scalar, ...]]:
        """The positions and the scalars of the document at `index` of its file."""
        ...


@dataclass(frozen=True, slots=True)
class _Known:
    """Positions and scalars recorded while the document was read."""

    positions: PositionMap
    scalars: tuple[Scalar, ...]

    def of(self, index: int) -> tuple[PositionMap, tuple[Scalar, ...]]:
        return self.positions, self.scalars


@dataclass(frozen=True, slots=True)
class _Outline:
    """What is kept of a validated document: where it starts and where its env references
    are (two small tuples, where a map of positions would be two dicts per manifest)."""

    start: Position
    env: tuple[tuple[Location, Position], ...]

    def of(self, index: int) -> tuple[PositionMap, tuple[Scalar, ...]]:
        return PositionMap(values={**dict(self.env), (): self.start}), ()


class _Reread:
    """The positions and scalars of a file's documents, read again from its text when one
    is first asked for.

    Valid manifests need no position besides their start and their references: recording
    every position and scalar while reading took a third of loading's CPU and two thirds of
    the memory the documents read hold. A diagnostic needs them for one document, some documents
    for several: the file is composed again once, up to the furthest document asked for,
    by the same parser, so that every line and column is as the first reading saw it.
    """

    __slots__ = ("_details", "_nodes", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._details: dict[int, _Known] = {}
        self._nodes: Iterator[tuple[int, Node | None]] | None = None

    def of(self, index: int) -> tuple[PositionMap, tuple[Scalar, ...]]:
        if self._nodes is None:
            self._nodes = enumerate(yaml.compose_all(self._text, Loader=_LOADER))
        while index not in self._details:
            at, node = next(self._nodes)
            if node is not None:
                walk = _Walk()
                walk.visit(node, ())
                self._details[at] = _Known(walk.positions, tuple(walk.scalars))
        return self._details[index].of(index)


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One YAML document of a file, as plain data plus where each part of it was written."""

    file: Path
    index: int
    data: Any
    start: Position
    # The text of every scalar as written (after vars are put in place), in file order.
    texts: tuple[str, ...]
    references: tuple[Reference, ...]
    detail: _Detail = field(repr=False, compare=False)
    # From the data, once: diagnostics and the rules across documents ask for them often.
    kind: str = field(init=False, compare=False)
    name: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        metadata = self.data.get("metadata") if isinstance(self.data, dict) else None
        object.__setattr__(self, "kind", _text_field(self.data, "kind"))
        object.__setattr__(self, "name", _text_field(metadata, "name"))

    @property
    def positions(self) -> PositionMap:
        return self.detail.of(self.index)[0]

    @property
    def scalars(self) -> tuple[Scalar, ...]:
        """Every scalar, with the texts of this document (a var's value where it was put)."""
        scalars = self.detail.of(self.index)[1]
        return tuple(
            scalar if scalar.text == text else scalar._replace(text=text)
            for scalar, text in zip(scalars, self.texts, strict=True)
        )

    def with_values(self, data: Any, references: Mapping[int, Reference]) -> SourceDocument:
        """The document with other `data`, and the references at these indices rewritten."""
        texts = list(self.texts)
        for place, reference in references.items():
            texts[place] = reference.scalar.text
        kept = tuple(references.get(r.place, r) for r in self.references)
        return dataclasses.replace(self, data=data, texts=tuple(texts), references=kept)

    def outline(self) -> SourceDocument:
        """Only where the document starts: what is kept of it once it has been validated.

        The data, every position and every scalar serve validation alone; for 10,000
        manifests they would hold some 100 MB through the whole plan.
        """
        # Kept: where each `${env:NAME}` is written, for errors about the key it names.
        env = tuple(
            (scalar.loc, scalar.position)
            for _, scalar, _ in self.references
            if scalar.text.startswith("${env:") and _ENV_REFERENCE.match(scalar.text)
        )
        outline = _Outline(self.start, env)
        return SourceDocument(self.file, self.index, None, self.start, (), (), outline)

    def where(self, loc: Location = ()) -> str:
        """`file:line` of `loc`, for messages that point at another document."""
        return f"{display_path(self.file)}:{self.positions.locate(loc).line}"


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
    # Double-quoted scalars whose escapes may spell a forbidden character, once each.
    escaped: dict[int, ScalarNode] = field(default_factory=dict)

    def visit(
        self, node: Node, loc: Location, active: frozenset[int] = frozenset(), *, own: bool = True
    ) -> None:
        # The last of duplicate keys wins, as in the loaded data; a merged mapping (`<<`) is
        # not the position of the mapping it is merged into.
        position = _position(node)
        if own:
            self.positions.values[loc] = position
        if id(node) in active:  # an alias pointing at its own ancestor
            return
        inner = active | {id(node)}
        if isinstance(node, ScalarNode):
            self._visit_scalar(node, loc, str(node.value), position)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.visit(item, (*loc, index), inner)
        elif isinstance(node, MappingNode):
            self._visit_mapping(node, loc, inner)

    def _visit_scalar(self, node: ScalarNode, loc: Location, text: str, position: Position) -> None:
        self.scalars.append(_new(Scalar, (loc, text, position, node.style or "")))
        if node.style == '"' and has_forbidden(text):
            self.escaped[id(node)] = node

    def _visit_mapping(self, node: MappingNode, loc: Location, active: frozenset[int]) -> None:
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                self.visit(value_node, loc, active, own=False)
                continue
            key = str(key_node.value)
            key_position = _position(key_node)
            self._visit_scalar(key_node, (*loc, key), key, key_position)
            if key in seen:
                self.duplicates.append((key_position, key, seen[key]))
            seen.setdefault(key, key_position)
            self.positions.keys[(*loc, key)] = key_position
            self.visit(value_node, (*loc, key), active)


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor, whose failures on a value point at the value.

    Its constructors fail on what a tag cannot hold with plain exceptions: KeyError for
    `!!bool maybe`, AttributeError for `!!timestamp notadate`, ValueError for `!!float x` or an
    integer of 5,000 digits; each becomes a YAML error at the node it was about.
    """

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (LookupError, AttributeError, ValueError, TypeError, ArithmeticError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            problem = f"the value cannot be read as {tag}"
            raise ConstructorError(None, None, problem, node.start_mark) from None

    def _refuse_binary(self, node: Node) -> Any:
        # pydantic would take the bytes for a string: a name written in base64, unseen.
        problem = "binary data (!!binary) has no place in a manifest"
        raise ConstructorError(None, None, problem, node.start_mark)

    yaml_constructors: ClassVar[dict[Any, Any]] = {
        **SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:binary": _refuse_binary,
    }


# Deeper documents keep every position from their first reading: reading one again for a
# diagnostic recurses once per level, from further down the stack than loading did.
_DEEPEST_READ_AGAIN = 64


class _Unusual(Exception):
    """The document holds what only PyYAML's constructor builds faithfully: an alias of a
    collection, a merge key, a tagged collection or a collection as a key; or it is nested
    deeper than `_DEEPEST_READ_AGAIN`."""


@dataclass
class _Reading:
    """One pass over a plain document, as manifests are, that builds the data as it goes.

    Walking the node tree once for positions and again in PyYAML's constructor doubled the
    cost of loading; here each node is visited once, and what is kept of each scalar is its
    text (positions are found again for a diagnostic: `_Reread`). Scalars other than strings
    are still built by the constructor; what `_Unusual` names sends the document down
    `_Walk` and the constructor.
    """

    texts: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    duplicates: list[tuple[Position, str, Position]] = field(default_factory=list)
    # Double-quoted scalars whose escapes may spell a forbidden character, once each.
    escaped: dict[int, ScalarNode] = field(default_factory=dict)
    constructor: _Constructor = field(default_factory=_Constructor)
    collections: set[int] = field(default_factory=set)

    def read(self, node: Node, loc: Location) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc, is_key=False)
        if id(node) in self.collections:  # an alias, which the constructor shares
            raise _Unusual
        if len(loc) > _DEEPEST_READ_AGAIN:
            raise _Unusual
        self.collections.add(id(node))
        if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            return [self.read(item, (*loc, index)) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode) and node.tag == _MAP_TAG:
            return self._read_mapping(node, loc)
        raise _Unusual

    def _scalar(self, node: ScalarNode, loc: Location, *, is_key: bool) -> Any:
        # The hottest path of loading: a scalar per line of a manifest, so written out flat.
        text: str = node.value
        if "${" in text:
            scalar = _new(Scalar, (loc, text, _position(node), node.style or ""))
            self.references.append(Reference(len(self.texts), scalar, is_key))
        self.texts.append(text)
        if node.style == '"' and has_forbidden(text):
            self.escaped[id(node)] = node
        return text if node.tag == _STR_TAG else self.constructor.construct_object(node)

    def _read_mapping(self, node: MappingNode, loc: Location) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        seen: dict[str, ScalarNode] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag in (_MERGE_TAG, _VALUE_TAG):
                raise _Unusual
            key: str = key_node.value
            key_loc = (*loc, key)
            name = self._scalar(key_node, key_loc, is_key=True)
            first = seen.setdefault(key, key_node)
            if first is not key_node:
                self.duplicates.append((_position(key_node), key, _position(first)))
            # The last of duplicate keys wins, as in PyYAML's constructor.
            if isinstance(value_node, ScalarNode):
                data[name] = self._scalar(value_node, key_loc, is_key=False)
            else:
                data[name] = self.read(value_node, key_loc)
        return data


@dataclass(frozen=True)
class _Read:
    """A document as read: its data, and what the pass found in it."""

    data: Any
    texts: tuple[str, ...]
    references: tuple[Reference, ...]
    duplicates: list[tuple[Position, str, Position]]
    escaped: Iterable[ScalarNode]
    # None: found again from the file's text when asked for.
    known: _Known | None


def _read_document(node: Node) -> _Read:
    """The document's data, scalars' texts, references and duplicate keys."""
    reading = _Reading()
    try:
        data = reading.read(node, ())
    except _Unusual:
        return _walked(node)
    return _Read(
        data,
        tuple(reading.texts),
        tuple(reading.references),
        reading.duplicates,
        reading.escaped.values(),
        None,
    )


def _walked(node: Node) -> _Read:
    """A document with aliases, merge keys or tags, read by PyYAML's constructor after a walk
    that records every position and scalar."""
    walk = _Walk()
    walk.visit(node, ())
    data = _Constructor().construct_document(node)
    scalars = tuple(walk.scalars)
    keys = walk.positions.keys
    references = tuple(
        Reference(place, scalar, keys.get(scalar.loc) == scalar.position)
        for place, scalar in enumerate(scalars)
        if "${" in scalar.text
    )
    texts = tuple(scalar.text for scalar in scalars)
    known = _Known(walk.positions, scalars)
    return _Read(data, texts, references, walk.duplicates, walk.escaped.values(), known)


def load_text(file: Path, text: str) -> LoadedFile:
    """Every document of a YAML text; a syntax error ends the file with a diagnostic."""
    overflow = alias_overflow(text, _LOADER)
    if overflow is not None:
        return LoadedFile([], [_alias_expansion(file, overflow)])
    loaded = LoadedFile([], [_written_character(file, text, i) for i in written_characters(text)])
    reread = _Reread(text)
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_LOADER)):
            _add_document(loaded, file, text, index, node, reread)
    except yaml.MarkedYAMLError as error:
        loaded.diagnostics.append(_syntax_error(file, error, START))
    except yaml.reader.ReaderError as error:
        position = position_at(text, error.position)
        message = f"YAML: {error.reason} (U+{error.character:04X})"
        loaded.diagnostics.append(Diagnostic(file, position, "yaml-syntax", message))
    except yaml.YAMLError:
        loaded.diagnostics.append(Diagnostic(file, START, "yaml-syntax", "YAML: unreadable"))
    except RecursionError:
        loaded.diagnostics.append(_too_deep(file, START))
    return loaded


def _too_deep(file: Path, position: Position) -> Diagnostic:
    return Diagnostic(file, position, "yaml-syntax", "YAML: nested too deeply")


def _syntax_error(file: Path, error: yaml.MarkedYAMLError, fallback: Position) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    position = Position(mark.line + 1, mark.column + 1) if mark else fallback
    problem = error.problem or "invalid YAML"
    return Diagnostic(file, position, "yaml-syntax", f"YAML: {problem}")


def _alias_expansion(file: Path, position: Position) -> Diagnostic:
    return Diagnostic(
        file,
        position,
        "alias-expansion",
        f"YAML: with this alias, the file's aliases add more than {MAX_ALIAS_NODES:,} nodes, "
        "the most a manifest file may add through aliases; write the values out instead",
    )


def _written_character(file: Path, text: str, found: tuple[int, str]) -> Diagnostic:
    index, character = found
    return Diagnostic(file, position_at(text, index), "control-character", describe(character))


def _add_document(
    loaded: LoadedFile, file: Path, text: str, index: int, node: Node | None, reread: _Reread
) -> None:
    if node is None:
        return
    start = _position(node)
    try:
        read = _read_document(node)
    except yaml.MarkedYAMLError as error:
        loaded.diagnostics.append(_syntax_error(file, error, start))
        return
    except (yaml.YAMLError, ValueError, TypeError):
        loaded.diagnostics.append(
            Diagnostic(file, start, "yaml-syntax", "YAML: a value cannot be read")
        )
        return
    except RecursionError:
        loaded.diagnostics.append(_too_deep(file, start))
        return
    if read.data is None:
        return
    detail = read.known or reread
    document = SourceDocument(file, index, read.data, start, read.texts, read.references, detail)
    for position, key, first in read.duplicates:
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
    loaded.diagnostics.extend(_escaped_characters(document, text, read.escaped))
    loaded.documents.append(document)


def _escaped_characters(
    document: SourceDocument, text: str, scalars: Iterable[ScalarNode]
) -> Iterator[Diagnostic]:
    for node in scalars:
        source = text[node.start_mark.index : node.end_mark.index]
        found = escaped_character(source)
        if found is None:  # written as it is: reported with the file's text
            continue
        offset, character = found
        yield Diagnostic(
            document.file,
            position_at(text, node.start_mark.index + offset),
            "control-character",
            describe(character),
            document.kind,
            document.name,
        )


def read_file(file: Path) -> LoadedFile:
    """The documents of `file`, read as UTF-8 text of at most MAX_FILE_BYTES bytes."""
    try:
        data = _read_bytes(file)
    except OSError as error:
        code, message = unusable(file, error)
        return LoadedFile([], [Diagnostic(file, START, code, message)])
    if len(data) > MAX_FILE_BYTES:
        return LoadedFile([], [_too_large(file)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return LoadedFile([], [_not_utf8(file, data, error.start)])
    return load_text(file, text)


def _read_bytes(file: Path) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of `file`: enough to tell that it is too large."""
    # Non-blocking, so that a FIFO named like a manifest is refused instead of waited on.
    descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        # Sized by the file: a read of the limit itself would allocate 5 MB for every file.
        expected = min(status.st_size, MAX_FILE_BYTES) + 1
        data = stream.read(expected)
        if len(data) == expected:  # grown since, or over the limit
            data += stream.read(MAX_FILE_BYTES + 1 - len(data))
        return data


def _too_large(file: Path) -> Diagnostic:
    return Diagnostic(
        file,
        START,
        "file-too-large",
        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, the most a manifest "
        "file may hold; split its documents over several files",
    )


def _not_utf8(file: Path, data: bytes, offset: int) -> Diagnostic:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    position = Position(data.count(b"\n", 0, offset) + 1, column)
    return Diagnostic(file, position, "unreadable-file", "not a UTF-8 text file")


def unusable(path: Path, error: OSError) -> tuple[str, str]:
    """The code and message for a path that may hold manifests but cannot be read."""
    advice = "; fix or remove it"
    if path.name not in PROJECT_FILE_NAMES:
        advice += ", or list it under `exclude` in reconcile.yaml"
    if error.errno == errno.ELOOP:
        return "symlink-loop", "a symbolic link loop: its links lead back to themselves" + advice
    if error.errno == errno.ENOENT and path.is_symlink():
        return "broken-symlink", "a symbolic link to a path that does not exist" + advice
    reason = (error.strerror or "unreadable").lower()
    return "unreadable-file", f"cannot be read: {reason}{advice}"
