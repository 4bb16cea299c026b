"""The library facade: reconcile's workflows as functions over a project directory.

Each takes one `Options`, callables for confirmation and for events, and returns a result;
none prints or imports click. The command line is one caller; Python code is another.
"""

from __future__ import annotations

from reconciler.workflows.adopting import adopt
from reconciler.workflows.applying import ApplyInterrupted, ApplyRefused, Approval, apply
from reconciler.workflows.drifting import Drifted, drift
from reconciler.workflows.events import Events
from reconciler.workflows.exporting import Exported, ExportRefused, export
from reconciler.workflows.exporting_environments import ExportedEnvironments, export_environments
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
