"""The workflow events the command line shows on stderr, shared by its commands."""

from __future__ import annotations

import sys
from collections.abc import Callable

from reconciler.views.progress import ReadProgress
from reconciler.workflows.events import Events


class ReadingShown(Events):
    """The read of live state, as a progress line on stderr (on a terminal only)."""

    def reading(self, requests: Callable[[], int]) -> ReadProgress:
        return ReadProgress(sys.stderr, requests)
