"""The result of loading a directory: the project and every manifest with its source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from reconciler.manifests.envelope import Manifest
from reconciler.manifests.loader import SourceDocument
from reconciler.manifests.project import Project
from reconciler.manifests.references import Location

KindT = TypeVar("KindT", bound=Manifest)


@dataclass(frozen=True, slots=True)
class LoadedManifest:
    manifest: Manifest
    source: SourceDocument

    def where(self, loc: Location = ()) -> str:
        return self.source.where(loc)

    def validated(self) -> LoadedManifest:
        """The manifest with only the outline of its source, as a ManifestSet keeps it."""
        return LoadedManifest(self.manifest, self.source.outline())


@dataclass(frozen=True)
class ManifestSet:
    """Valid manifests of one directory, in file order (their sources only in outline:
    a valid manifest needs no positions for messages)."""

    root: Path
    project: Project
    entries: tuple[LoadedManifest, ...]
    files: tuple[Path, ...]
    # Where the project file is (at or above `root`): its paths and the local state are
    # relative to it. None: `root` (or its directory, for a single file).
    project_dir: Path | None = None
    # The target whose view these are (its manifest paths, its vars); None: no target was
    # chosen, and the directory was read as a whole.
    target: str | None = None

    @property
    def base(self) -> Path:
        if self.project_dir is not None:
            return self.project_dir
        return self.root if self.root.is_dir() else self.root.parent

    @property
    def manifests(self) -> tuple[Manifest, ...]:
        return tuple(entry.manifest for entry in self.entries)

    def of_kind(self, kind: type[KindT]) -> list[KindT]:
        return [entry.manifest for entry in self.entries if isinstance(entry.manifest, kind)]

    def get(self, kind: type[KindT], name: str) -> KindT | None:
        found = self._by_kind_and_name.get((kind.KIND, name))
        return found if isinstance(found, kind) else None

    @cached_property
    def _by_kind_and_name(self) -> dict[tuple[str, str], Manifest]:
        # Apply asks once per action: a scan each time would be quadratic at 10,000 links.
        index: dict[tuple[str, str], Manifest] = {}
        for entry in self.entries:
            index.setdefault((entry.manifest.KIND, entry.manifest.name), entry.manifest)
        return index

    def __iter__(self) -> Iterator[Manifest]:
        return iter(self.manifests)
