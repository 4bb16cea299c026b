"""A small JSON document store on SQLite, shared by both emulated APIs.

Every object of both APIs is one JSON document in a named collection. SQLite (in WAL mode)
lets a `plan` in one process and an `apply` in another see the same world. The store knows
nothing of either API: rules live in the route modules.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Document = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (collection, id)
);
"""


# How many list orders `page` keeps; a client walking a few lists at once needs only a few.
_KEPT_ORDERS = 16

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _field_sql(field: str) -> str:
    """`json_extract` with the path inlined, so SQLite can match it to an expression index."""
    if not _FIELD.match(field):
        raise ValueError(f"not a document field path: {field!r}")
    return f"json_extract(body, '$.{field}')"


def _create_private(path: Path) -> None:
    """The world holds account data: its directory and file are created for their owner only
    (SQLite gives the journal files the mode of the database file)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # parents: the umask's mode
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


class Store:
    """Collections of JSON documents keyed by id, in insertion order (`seq`).

    `page` serves numbered pages from a list's order read once per version of the world: the
    version is this connection's own write count with SQLite's `data_version`, which changes
    when another connection (another process) commits.
    """

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            _create_private(Path(path))
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._depth = 0
        self._writes = 0
        self._orders: OrderedDict[tuple[str, tuple[Any, ...]], tuple[tuple[int, int], list[int]]]
        self._orders = OrderedDict()
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        # Up to 64 MiB of pages in memory (SQLite's default is 2 MiB): a world of 10,000
        # customers on each side fits, so a page of a list costs what it costs at 1,000.
        self._db.execute("PRAGMA cache_size = -65536")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def compact(self) -> None:
        """Rewrite the file and empty the write-ahead log, so that what was replaced or deleted
        (a secret, say) lingers in no free page and no old log frame."""
        with self._lock:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a read-modify-write atomically, also against other processes. Nests."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                self._writes += 1  # orders read inside the transaction saw what is undone
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def put(self, collection: str, id: str, body: Document) -> Document:
        """Insert or replace a document; a replaced one keeps its place in the order."""
        with self._lock:
            self._writes += 1
            self._db.execute(
                "INSERT INTO documents (collection, id, body) VALUES (?, ?, ?) "
                "ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body",
                (collection, id, json.dumps(body, separators=(",", ":"))),
            )
        return body

    def get(self, collection: str, id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM documents WHERE collection = ? AND id = ?", (collection, id)
            ).fetchone()
        return None if row is None else _load(row[0])

    def delete(self, collection: str, id: str) -> bool:
        """Remove a document for good (the APIs' soft deletes are their own business)."""
        with self._lock:
            self._writes += 1
            cursor = self._db.execute(
                "DELETE FROM documents WHERE collection = ? AND id = ?", (collection, id)
            )
        return cursor.rowcount > 0

    def seq_of(self, collection: str, id: str) -> int | None:
        """The document's position in insertion order, for cursor pagination."""
        with self._lock:
            row = self._db.execute(
                "SELECT seq FROM documents WHERE collection = ? AND id = ?", (collection, id)
            ).fetchone()
        return None if row is None else int(row[0])

    def find(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: str | None = None,
        descending: bool = False,
        offset: int = 0,
        limit: int | None = None,
        seq_below: int | None = None,
        seq_above: int | None = None,
    ) -> list[Document]:
        """Documents whose fields equal `where` (dotted paths; None matches a missing field).

        Ordered by insertion, or by the field `order_by` with insertion breaking ties.
        """
        clause, params = self._filter(collection, where, seq_below, seq_above)
        order = _order_sql(order_by, descending)
        sql = f"SELECT body FROM documents WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?"
        params.extend([-1 if limit is None else limit, offset])
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_load(row[0]) for row in rows]

    def page(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: str | None = None,
        descending: bool = False,
        offset: int = 0,
        limit: int,
    ) -> tuple[list[Document], int]:
        """`find`'s documents from `offset` on, at most `limit`, and how many match in all.

        The order (positions only, read from an index where one fits) is kept until the world
        changes, so that page k of a list costs what page 1 costs, at any size: no OFFSET walk
        and no count per page.
        """
        clause, params = self._filter(collection, where, None, None)
        sql = (
            f"SELECT seq FROM documents WHERE {clause} ORDER BY {_order_sql(order_by, descending)}"
        )
        with self._lock:
            order = self._order(sql, tuple(params))
            window = order[offset : offset + limit]
            bodies = dict(self._bodies(window))
        # A document another process deleted since the order was read is left out.
        return [_load(bodies[seq]) for seq in window if seq in bodies], len(order)

    def _bodies(self, seqs: list[int]) -> list[tuple[int, str]]:
        if not seqs:
            return []
        marks = ", ".join("?" * len(seqs))
        sql = f"SELECT seq, body FROM documents WHERE seq IN ({marks})"
        return self._db.execute(sql, seqs).fetchall()

    def _order(self, sql: str, params: tuple[Any, ...]) -> list[int]:
        """The seqs `sql` selects, from the kept orders while the world is unchanged."""
        version = (self._writes, int(self._db.execute("PRAGMA data_version").fetchone()[0]))
        key = (sql, params)
        kept = self._orders.get(key)
        if kept is not None and kept[0] == version:
            self._orders.move_to_end(key)
            return kept[1]
        order = [int(row[0]) for row in self._db.execute(sql, params)]
        self._orders[key] = (version, order)
        self._orders.move_to_end(key)
        while len(self._orders) > _KEPT_ORDERS:
            self._orders.popitem(last=False)
        return order

    def trace(self, callback: Callable[[str], None] | None) -> None:
        """Call `callback` with every SQL statement run from now on, its parameters inlined
        (to see which queries a request costs); None stops."""
        with self._lock:
            self._db.set_trace_callback(callback)

    def ensure_index(self, collection: str, *fields: str) -> None:
        """Index a collection on document fields, for finds that filter or sort on them."""
        name = "ix_" + re.sub(r"\W", "_", ".".join((collection, *fields)))
        columns = ", ".join(_field_sql(field) for field in fields)
        with self._lock:
            self._db.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON documents (collection, {columns})"
            )

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        clause, params = self._filter(collection, where, None, None)
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM documents WHERE {clause}", params)
            return int(row.fetchone()[0])

    def collections(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT collection FROM documents ORDER BY 1")
            return [row[0] for row in rows.fetchall()]

    def clear(self, collection: str | None = None) -> None:
        """Forget one collection, or the whole world."""
        with self._lock:
            self._writes += 1
            if collection is None:
                self._db.execute("DELETE FROM documents")
            else:
                self._db.execute("DELETE FROM documents WHERE collection = ?", (collection,))

    @staticmethod
    def _filter(
        collection: str,
        where: Mapping[str, Any] | None,
        seq_below: int | None,
        seq_above: int | None,
    ) -> tuple[str, list[Any]]:
        parts = ["collection = ?"]
        params: list[Any] = [collection]
        for field, value in (where or {}).items():
            if value is None:
                parts.append(f"{_field_sql(field)} IS NULL")
            else:
                parts.append(f"{_field_sql(field)} = ?")
                params.append(value)
        if seq_below is not None:
            parts.append("seq < ?")
            params.append(seq_below)
        if seq_above is not None:
            parts.append("seq > ?")
            params.append(seq_above)
        return " AND ".join(parts), params


def _order_sql(order_by: str | None, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    if order_by is None:
        return f"seq {direction}"
    return f"{_field_sql(order_by)} {direction}, seq {direction}"


def _load(text: str) -> Document:
    body: Document = json.loads(text)
    return body
