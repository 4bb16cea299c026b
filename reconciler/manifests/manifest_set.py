"""The result of loading a directory: the project and every manifest with its source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reconciler.manifests.envelope import Manifest
from reconciler.manifests.loader import SourceDocument
from reconciler.manifests.project import Project
from reconciler.manifests.references import Location

KindT = TypeVar("KindT", bound=Manifest)


@dataclass(frozen=True)
class LoadedManifest:
    manifest: Manifest
    source: SourceDocument

    def where(self, loc: Location = ()) -> str:
        return self.source.where(loc)


@dataclass(frozen=True)
class ManifestSet:
    """Valid manifests of one directory, in file order."""

    root: Path
    project: Project
    entries: tuple[LoadedManifest, ...]
    files: tuple[Path, ...]

    @property
    def manifests(self) -> tuple[Manifest, ...]:
        return tuple(entry.manifest for entry in self.entries)

    def of_kind(self, kind: type[KindT]) -> list[KindT]:
        return [entry.manifest for entry in self.entries if isinstance(entry.manifest, kind)]

    def get(self, kind: type[KindT], name: str) -> KindT | None:
        return next((doc for doc in self.of_kind(kind) if doc.name == name), None)

    def __iter__(self) -> Iterator[Manifest]:
        return iter(self.manifests)
