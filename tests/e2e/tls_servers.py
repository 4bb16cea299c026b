"""Loopback servers that fail a TLS client in the two ways a real network does: a certificate
the client does not trust (self-signed, made with the `openssl` command), and a port that does
not speak TLS at all."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# Sent to whoever completes a handshake, or, by the plain server, to any client at all.
ANSWER = (
    b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
)
HAS_OPENSSL = shutil.which("openssl") is not None


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key, and that key."""
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    command += " -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


@contextlib.contextmanager
def tls_server(certificate: Path, key: Path) -> Iterator[int]:
    """A server on a free loopback port that speaks TLS with this certificate and answers every
    request 401; yields the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)

    def answer(connection: socket.socket) -> None:
        with context.wrap_socket(connection, server_side=True) as secured:
            secured.recv(65536)
            secured.sendall(ANSWER)

    with _serving(answer) as port:
        yield port


@contextlib.contextmanager
def plain_server() -> Iterator[int]:
    """A server on a free loopback port that answers anything, a TLS handshake too, with
    plain HTTP; yields the port."""

    def answer(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(ANSWER)

    with _serving(answer) as port:
        yield port


@contextlib.contextmanager
def _serving(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection, contextlib.suppress(OSError):  # a client that hangs up
                connection.settimeout(5)
                answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join()
        listener.close()
