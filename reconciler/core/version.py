"""The version of reconcile, as `--version` shows it and a saved plan records it; kept below
every layer so that the engine need not import the package's facade for it."""

from __future__ import annotations

VERSION = "0.1.0"
