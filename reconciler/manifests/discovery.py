"""Which files under a directory are manifests: YAML files, in a stable order, past hidden
paths, the project file and what it excludes; and every path there that might hold manifests
but cannot be read, since what it declares must not be taken as removed.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.manifests.diagnostics import START, Diagnostic
from reconciler.manifests.loader import PROJECT_FILE_NAMES, unusable

MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ManifestFiles:
    """The manifest files under a root, and the paths there that may hold manifests but
    cannot be read: each one is an error, lest what it declares be taken as removed."""

    files: list[Path]
    problems: list[Diagnostic]


def manifest_files(
    root: Path, exclude: Sequence[str] = (), base: Path | None = None
) -> ManifestFiles:
    """YAML files under `root` in a stable order, skipping hidden paths and the project file.

    `exclude` patterns are relative to `base`, the directory of the project file that gives
    them, which may lie above `root`; by default `root` itself.

    Symbolic links are followed, directories too; a directory is read once, and a link back to
    a directory above it is a loop.
    """
    if root.is_file():
        return ManifestFiles([root], [])
    try:
        status = root.stat()
    except OSError as error:
        reason = (error.strerror or "unreadable").lower()
        return ManifestFiles([], [Diagnostic(root, START, "unreadable-directory", reason)])
    scan = _Scan(base or root, exclude)
    pending = [(root, frozenset({_identity(status)}))]
    while pending:
        directory, above = pending.pop()
        pending.extend(scan.directory(directory, above))
    return ManifestFiles(sorted(scan.files), scan.problems)


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


@dataclass
class _Scan:
    root: Path
    exclude: Sequence[str]
    files: list[Path] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    read: set[tuple[int, int]] = field(default_factory=set)

    def directory(
        self, directory: Path, above: frozenset[tuple[int, int]]
    ) -> list[tuple[Path, frozenset[tuple[int, int]]]]:
        """The directories below `directory` still to read, each with those above it."""
        try:
            entries = sorted(directory.iterdir())
        except OSError as error:
            reason = (error.strerror or "unreadable").lower()
            self._problem(directory, "unreadable-directory", f"cannot list directory: {reason}")
            return []
        below = (self._entry(path, above) for path in entries)
        return [found for found in below if found is not None]

    def _entry(
        self, path: Path, above: frozenset[tuple[int, int]]
    ) -> tuple[Path, frozenset[tuple[int, int]]] | None:
        relative = path.relative_to(self.root).as_posix()
        if path.name.startswith(".") or relative in PROJECT_FILE_NAMES:
            return None
        status = self._status(path, relative)
        if status is None:
            return None
        if stat.S_ISDIR(status.st_mode):
            if _excludes_below(relative, self.exclude) or not self._first_read(path, status, above):
                return None
            return path, above | {_identity(status)}
        if path.suffix in MANIFEST_SUFFIXES and not _excluded(relative, self.exclude):
            self._file(path, status)
        return None

    def _status(self, path: Path, relative: str) -> os.stat_result | None:
        try:
            return path.stat()
        except OSError as error:
            if not (_excluded(relative, self.exclude) or _excludes_below(relative, self.exclude)):
                self._problem(path, *unusable(path, error))
            return None

    def _first_read(
        self, path: Path, status: os.stat_result, above: frozenset[tuple[int, int]]
    ) -> bool:
        identity = _identity(status)
        if identity in above:
            self._problem(
                path,
                "symlink-loop",
                "a symbolic link loop: it leads back to a directory above it; remove it, or "
                "list it under `exclude` in reconcile.yaml",
            )
            return False
        # Reached through another link too: its files are read once, through the first path.
        first = identity not in self.read
        self.read.add(identity)
        return first

    def _file(self, path: Path, status: os.stat_result) -> None:
        if stat.S_ISREG(status.st_mode):
            self.files.append(path)
        else:
            self._problem(path, "not-a-file", "named like a manifest but not a regular file")

    def _problem(self, path: Path, code: str, message: str) -> None:
        self.problems.append(Diagnostic(path, START, code, message))


def excluded_by(base: Path, path: Path, patterns: Sequence[str]) -> bool:
    """Whether the project at `base` excludes `path` (at or below it) from its manifests."""
    try:
        relative = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return False
    return relative != "." and (
        _excluded(relative, patterns) or _excludes_below(relative, patterns)
    )


def _excluded(relative: str, patterns: Sequence[str]) -> bool:
    # `*` also crosses `/`, so `invalid/*` covers everything below `invalid/`.
    return any(
        fnmatch.fnmatchcase(relative, pattern)
        or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )


def _excludes_below(directory: str, patterns: Sequence[str]) -> bool:
    """Whether every path below `directory` is excluded, so it need not be read at all."""
    return any(
        fnmatch.fnmatchcase(directory + "/", pattern.rstrip("/") + "/*") for pattern in patterns
    )


GLOB_CHARACTERS = frozenset("*?[")


def selected_files(base: Path, paths: Sequence[str], exclude: Sequence[str] = ()) -> ManifestFiles:
    """The manifest files a target lists (`manifests: [common/, staging/]`): directories
    (read as a whole directory is), files and globs, relative to `base`; each file once,
    in a stable order. A listed path that does not exist is a problem of the project file,
    reported there."""
    files: set[Path] = set()
    problems: list[Diagnostic] = []
    for path in _matches(base, paths):
        if path.is_dir():
            found = manifest_files(path, exclude, base)
            files.update(found.files)
            problems.extend(found.problems)
        elif path.suffix in MANIFEST_SUFFIXES and not excluded_by(base, path, exclude):
            files.add(path)
    return ManifestFiles(sorted(files), problems)


def _matches(base: Path, paths: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in paths:
        if GLOB_CHARACTERS.isdisjoint(pattern):
            found.append(base / pattern.rstrip("/"))
            continue
        # Hidden paths are never manifests: `.reconcile/` holds the sandbox's state.
        matches = sorted(base.glob(pattern.rstrip("/")))
        found += [m for m in matches if not _hidden(m.relative_to(base))]
    return [path for path in found if path.exists()]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def missing_path(base: Path, pattern: str) -> str | None:
    """What is wrong with a target's manifest path: nothing there, or nothing matched."""
    if GLOB_CHARACTERS.isdisjoint(pattern):
        return None if (base / pattern.rstrip("/")).exists() else "no such file or directory"
    if _matches(base, [pattern]):
        return None
    return "the pattern matches no file or directory"
