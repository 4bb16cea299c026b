"""The library facade: reconcile's workflows as functions over a project directory.

Each takes one `Options`, callables for confirmation and for events, and returns a result;
none prints or imports click. The command line is one caller; Python code is another.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.workflows.adopting import adopt
    from reconciler.workflows.applying import ApplyInterrupted, ApplyRefused, Approval, apply
    from reconciler.workflows.drifting import Drifted, drift
    from reconciler.workflows.events import Events
    from reconciler.workflows.exporting import Exported, ExportRefused, export
    from reconciler.workflows.exporting_environments import (
        ExportedEnvironments,
        export_environments,
    )
    from reconciler.workflows.options import Options
    from reconciler.workflows.planning import Planned, plan, save_plan

__all__ = [
    "ApplyInterrupted",
    "ApplyRefused",
    "Approval",
    "Drifted",
    "Events",
    "ExportRefused",
    "Exported",
    "ExportedEnvironments",
    "Options",
    "Planned",
    "adopt",
    "apply",
    "drift",
    "export",
    "export_environments",
    "plan",
    "save_plan",
]

# Where each name lives, imported on first use (PEP 562): a command imports the workflow it
# runs, not every other one.
_HOMES = {
    "ApplyInterrupted": "reconciler.workflows.applying",
    "ApplyRefused": "reconciler.workflows.applying",
    "Approval": "reconciler.workflows.applying",
    "Drifted": "reconciler.workflows.drifting",
    "Events": "reconciler.workflows.events",
    "ExportRefused": "reconciler.workflows.exporting",
    "Exported": "reconciler.workflows.exporting",
    "ExportedEnvironments": "reconciler.workflows.exporting_environments",
    "Options": "reconciler.workflows.options",
    "Planned": "reconciler.workflows.planning",
    "adopt": "reconciler.workflows.adopting",
    "apply": "reconciler.workflows.applying",
    "drift": "reconciler.workflows.drifting",
    "export": "reconciler.workflows.exporting",
    "export_environments": "reconciler.workflows.exporting_environments",
    "plan": "reconciler.workflows.planning",
    "save_plan": "reconciler.workflows.planning",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
