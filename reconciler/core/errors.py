"""Errors as the apply report and the command line tell of them.

The engine catches whatever a kind's write raises without knowing the API behind it; here,
below the engine and above the clients, is where an API's error is told from a fault.
"""

from __future__ import annotations

from reconciler.clients.errors import ClientError
from reconciler.manifests.secret_patterns import redact


def describe(error: Exception) -> str:
    """An error as the report shows it; client errors are built without request headers."""
    text = str(error) if isinstance(error, ClientError) else f"{type(error).__name__}: {error}"
    # Defence in depth: a key quoted back by a server or a library must not reach the report.
    return redact(text)
