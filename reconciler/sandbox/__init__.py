"""The embedded sandbox: Konnect Metering & Billing v3 and Stripe, emulated over real HTTP.

Its names load on first use: a command that only needs the sandbox's constants (a target
served elsewhere) does not pay for importing the web server.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.sandbox.app import create_app
    from reconciler.sandbox.config import SandboxConfig
    from reconciler.sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer", "create_app"]

_HOMES = {
    "SandboxConfig": "reconciler.sandbox.config",
    "SandboxServer": "reconciler.sandbox.server",
    "create_app": "reconciler.sandbox.app",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
