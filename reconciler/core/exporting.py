"""What the kinds share when they turn live objects into manifests (`Resource.export`).

Names are derived from Konnect names or keys, made valid as `metadata.name`, and kept apart
deterministically: the same organization always exports to the same names. Each kind records
the name it gave every live object, so a later kind refers to it by that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.live import MANAGED_BY_KEY, Document, Live, user_labels
from reconciler.manifests.common import ADOPT_ANNOTATION, API_VERSION, is_manifest_name

MAX_NAME = 63


@dataclass(frozen=True)
class Skipped:
    """A live object left out of the export, and why."""

    address_type: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.address_type} {self.key!r}: {self.reason}"


@dataclass(frozen=True)
class ExportWarning:
    """Something the export chose so that the manifests are a valid project, which applying
    them would then make so."""

    address_type: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ExportContext:
    """The live state read for an export, and the manifests made from it so far."""

    live: dict[str, list[Live]]
    documents: dict[str, list[Document]] = field(default_factory=dict)
    # False for a project whose reconcile.yaml leaves the default profile to someone else.
    manages_default_profile: bool = True
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[ExportWarning] = field(default_factory=list)
    # Manifests whose live object reconcile does not own yet (they carry the adopt annotation).
    adopted: list[str] = field(default_factory=list)
    _names: dict[tuple[str, str], str] = field(default_factory=dict)
    _by_id: dict[tuple[str, str], Document] = field(default_factory=dict)

    def live_of(self, address_type: str) -> list[Live]:
        return self.live.get(address_type, [])

    def name_all(self, address_type: str, named: Iterable[tuple[Live, str]]) -> dict[str, str]:
        """Give each live object a manifest name derived from its text; live id -> name."""
        names = unique_names([(live.id, text) for live, text in named])
        self._names.update(((address_type, live_id), name) for live_id, name in names.items())
        return names

    def name_of(self, address_type: str, live_id: str | None) -> str | None:
        """The manifest name an exported object got; None when it was not exported."""
        if live_id is None:
            return None
        exported = (address_type, live_id) in self._by_id
        return self._names.get((address_type, live_id)) if exported else None

    def add(self, address_type: str, live: Live, document: Document) -> None:
        self.documents.setdefault(address_type, []).append(document)
        self._by_id[(address_type, live.id)] = document
        if ADOPT_ANNOTATION in document["metadata"].get("annotations", {}):
            self.adopted.append(f"{document['kind']}/{document['metadata']['name']}")

    def document_of(self, address_type: str, live_id: str) -> Document | None:
        return self._by_id.get((address_type, live_id))

    def skip(self, address_type: str, key: str, reason: str) -> None:
        self.skipped.append(Skipped(address_type, key, reason))

    def warn(self, address_type: str, message: str) -> None:
        self.warnings.append(ExportWarning(address_type, message))

    def distinct(self, address_type: str, objects: Iterable[Live]) -> list[Live]:
        """The objects a plan could match: the first of each key, as the planner binds them."""
        seen: set[str] = set()
        kept: list[Live] = []
        for live in objects:
            if live.key in seen:
                reason = f"another object has the same key (id {live.id}); plan matches by key"
                self.skip(address_type, live.key, reason)
                continue
            seen.add(live.key)
            kept.append(live)
        return kept


def manifest_name(text: str, fallback: str) -> str:
    """`text` as a valid metadata.name: lower case, runs of other characters as one '-'."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:MAX_NAME].rstrip("-")
    return name or fallback


def unique_names(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Collision-free names for (id, text) pairs, the same whatever order they come in.

    Texts that already are valid names keep them; the others, and later duplicates in
    (text, id) order, get the first free `-2`, `-3`, ... suffix.
    """
    ordered = sorted(items, key=lambda item: (not is_manifest_name(item[1]), item[1], item[0]))
    taken: set[str] = set()
    names: dict[str, str] = {}
    for live_id, text in ordered:
        base = manifest_name(text, "unnamed")
        name, number = base, 1
        while name in taken:
            number += 1
            suffix = f"-{number}"
            name = base[: MAX_NAME - len(suffix)].rstrip("-") + suffix
        taken.add(name)
        names[live_id] = name
    return names


def manifest_document(
    kind: str, name: str, live: Live, spec: Mapping[str, Any], *, needs_adoption: bool
) -> Document:
    """A manifest for `live`: its user labels, and the adopt annotation when it is not ours."""
    metadata: Document = {"name": name}
    labels = {k: v for k, v in user_labels(live.raw.get("labels")).items() if k != MANAGED_BY_KEY}
    if labels:
        metadata["labels"] = labels
    if needs_adoption and not live.owned:
        metadata["annotations"] = {ADOPT_ANNOTATION: "true"}
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": dict(spec)}


def without(document: Mapping[str, Any], defaults: Mapping[str, Any]) -> Document:
    """`document` without the fields equal to the API's default (recursively), nor empty ones."""
    result: Document = {}
    for key, value in document.items():
        default = defaults.get(key)
        if isinstance(value, Mapping) and isinstance(default, Mapping):
            value = without(value, default)
        elif value == default:
            continue
        if value is not None and value != {} and value != []:
            result[key] = value
    return result
