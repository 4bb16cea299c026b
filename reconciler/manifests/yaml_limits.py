"""What one YAML file may cost to load, so that a small hostile file cannot stall a run.

Every step after parsing (positions, constructing, pydantic) walks a document as a tree, in
which an alias is a copy of what it names. Nine aliases of nine aliases of ... ("billion
laughs") make a few hundred bytes a tree of millions of nodes, so the nodes that aliases add
are counted on the parser's event stream, before anything is composed, and a file is refused
at the alias that takes them past `MAX_ALIAS_NODES`. Without aliases a tree is as large as its
text, which `MAX_FILE_BYTES` bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    ScalarEvent,
)

from reconciler.manifests.diagnostics import Position

MAX_FILE_BYTES = 5 * 1024 * 1024
# Far above what anchors shared within a manifest add; far below what makes loading slow.
MAX_ALIAS_NODES = 100_000


@dataclass
class _Collection:
    """A sequence or mapping still being read: its anchor and its node count so far."""

    anchor: str | None
    nodes: int = 1


@dataclass
class _AliasCount:
    """The nodes that the aliases of a file add, counted event by event."""

    # Nodes of each anchor of the current document, as the tree the anchor stands for.
    sizes: dict[str, int] = field(default_factory=dict)
    open: list[_Collection] = field(default_factory=list)
    added: int = 0

    def see(self, event: Event) -> None:
        if isinstance(event, AliasEvent):
            # An anchor not yet closed is an ancestor of its alias: a cycle, counted once.
            aliased = self.sizes.get(event.anchor or "", 1)
            self.added += aliased
            self._count_in_parent(aliased)
        elif isinstance(event, ScalarEvent):
            self._close(event.anchor, 1)
        elif isinstance(event, CollectionStartEvent):
            self.open.append(_Collection(event.anchor))
        elif isinstance(event, CollectionEndEvent):
            collection = self.open.pop()
            self._close(collection.anchor, collection.nodes)
        elif isinstance(event, DocumentStartEvent):
            self.sizes.clear()  # anchors do not cross documents

    def _count_in_parent(self, nodes: int) -> None:
        if self.open:
            self.open[-1].nodes += nodes

    def _close(self, anchor: str | None, nodes: int) -> None:
        if anchor is not None:
            self.sizes[anchor] = nodes
        self._count_in_parent(nodes)


def alias_overflow(text: str, loader: type[yaml.SafeLoader]) -> Position | None:
    """Where the aliases of `text` first add more than MAX_ALIAS_NODES nodes, if they do."""
    if "*" not in text:  # an alias is written `*name`: without a star there is none to count
        return None
    count = _AliasCount()
    try:
        for event in yaml.parse(text, Loader=loader):
            count.see(event)
            if count.added > MAX_ALIAS_NODES:
                mark = event.start_mark
                return Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
    except yaml.YAMLError:
        return None  # composing the file reports the syntax error at its place
    return None
