"""Serve the sandbox over real HTTP: standalone, or in-process on a free loopback port."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Literal

import uvicorn

from reconciler.sandbox.app import create_app
from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.context import Sandbox

LOOPBACK = "127.0.0.1"
HttpImplementation = Literal["auto", "h11", "httptools"]

# What uvicorn logs when a response is cut short; the sandbox does it on purpose (drop_rate).
_CUT_SHORT = "ASGI callable returned without completing response."


class _IgnoreDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _CUT_SHORT


def _quiet_deliberate_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _IgnoreDeliberateDrops) for existing in logger.filters):
        logger.addFilter(_IgnoreDeliberateDrops())


class SandboxServer:
    """A sandbox served by uvicorn; `with SandboxServer(config) as server: server.url`.

    `start()` serves on a background thread (tests, commands targeting the sandbox); `run()`
    serves in the calling thread until interrupted (`reconcile sandbox serve`).
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        port: int = 0,
        host: str = LOOPBACK,
        http: HttpImplementation = "auto",
    ) -> None:
        self.config = config or SandboxConfig()
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
        # protocol says TCP, and without it every response waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
        except OSError:
            self._socket.close()
            raise
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self.app = create_app(self.config)
        _quiet_deliberate_drops()
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                http=http,
                loop="asyncio",
                lifespan="on",
                log_level="warning",
                access_log=False,
                server_header=False,
                date_header=False,
                timeout_graceful_shutdown=2,
            )
        )
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def sandbox(self) -> Sandbox:
        """The world being served, for in-process inspection (stats, store)."""
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox

    def start(self, timeout: float = 10.0) -> SandboxServer:
        if self._thread is not None:
            raise RuntimeError("the sandbox server was already started")
        self._thread = threading.Thread(target=self._serve, name="reconcile-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start") from self._failure
            time.sleep(0.005)
        return self

    def run(self) -> None:
        """Serve in this thread until SIGINT/SIGTERM."""
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        finally:
            self._socket.close()

    def stop(self) -> None:
        """Stop serving and release the port; safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        if self._thread is None:
            self.sandbox.store.close()  # never served, so the lifespan that closes it never ran
        elif self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def _serve(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        except BaseException as failure:  # handed to start(), which reports it
            self._failure = failure

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
