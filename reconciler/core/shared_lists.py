"""Konnect lists that more than one kind reads, fetched once per read of the live state.

The billing profiles are a kind of their own, and the customer links need them too (which
one is the default, to tell a pin to it): two readers, in different threads, of one list.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

from reconciler.clients.konnect import KonnectClient
from reconciler.core.live import Document


class SharedLists:
    """The first reader of a route lists it; the others wait for that answer (or error)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lists: dict[str, Future[list[Document]]] = {}

    def list_all(self, konnect: KonnectClient, route: str) -> list[Document]:
        with self._lock:
            listed = self._lists.get(route)
            first = listed is None
            if listed is None:
                listed = self._lists[route] = Future()
        if first:
            try:
                listed.set_result(konnect.list_all(route))
            except BaseException as error:
                listed.set_exception(error)
                raise
        # A list of its own for each reader; the documents are only read.
        return list(listed.result())
