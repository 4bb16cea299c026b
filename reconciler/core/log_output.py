"""Where reconcile's log records go: one handler, on standard error, through `safe_output`.

Modules log with the standard `logging` module under the `reconcile` logger (the clients as
`reconcile.http`): notes and retries at INFO and above, each request at DEBUG. The command
line installs the handler once; a library user keeps Python's defaults or their own. The
handler writes to whatever `sys.stderr` is when a record arrives, so a test runner that swaps
the stream sees the records, and every line is cleaned first: a token a server echoes into
an error never reaches a log.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from reconciler.core import safe_output

LOGGER_NAME = "reconcile"
LOG_VARIABLE = "RECONCILE_LOG"


class SafeStderrHandler(logging.Handler):
    """Each record, cleaned, as one line on the current standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = safe_output.clean(self.format(record))
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except Exception:  # a broken pipe must not turn a log line into a fault
            self.handleError(record)


def wants_debug(debug: bool, environ: Mapping[str, str] | None = None) -> bool:
    """`--debug`, or `RECONCILE_LOG=debug` in the environment."""
    environ = os.environ if environ is None else environ
    return debug or environ.get(LOG_VARIABLE, "").strip().lower() == "debug"


def configure(debug: bool) -> None:
    """Route the `reconcile` logger to one safe handler: INFO, or DEBUG with every request.

    Called again (each CLI invocation in one process), it replaces its own handler."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in logger.handlers if isinstance(h, SafeStderrHandler)]:
        logger.removeHandler(handler)
    handler = SafeStderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    # Our handler says it all; the root logger's handlers would say it twice.
    logger.propagate = False
