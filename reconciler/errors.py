"""The one base of reconcile's errors.

Every error reconcile reports to its user (a manifest problem, a refused apply, an unknown
target, an API that said no) derives from `ReconcileError`. Library callers catch the base;
the command line maps it to its exit code in one place (`reconciler.cli.exits`). It sits below
every other layer so that the manifests and the API clients can derive from it too.
"""

from __future__ import annotations


class ReconcileError(Exception):
    """Something reconcile refuses or cannot do; the message says what, and what to do."""
