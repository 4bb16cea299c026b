"""What `plan --output json` prints: the plan, the target it was read from, and the notes.

`schemas/plan-output.json` is generated from `PlanDocument`. A new key keeps `format_version`;
removing, renaming or retyping a key, or a new value of an enum (action type, severity),
bumps it: a reader that knows version N can rely on every key it knows.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ConfigDict, Field

from reconciler.core.documents import format_version_field
from reconciler.core.plan import PLAN_FORMAT_VERSION, Plan

PLAN_OUTPUT_FILE = "plan-output.json"
PLAN_OUTPUT_TITLE = "reconcile plan --output json"


class PlanDocument(Plan):
    """The plan as machines read it; `is_noop` and `summary` tell a no-op plan on their own."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    format_version: int = format_version_field(PLAN_FORMAT_VERSION)
    target: str = Field(description="The reconcile.yaml target the live state was read from.")
    notes: tuple[str, ...] = Field(
        (),
        description="What the text output prints above the plan: the target, the keys in use, "
        "and warnings such as skipped Stripe checks or `--refresh=false`.",
    )

    @classmethod
    def of(cls, plan: Plan, target: str, notes: Sequence[str]) -> PlanDocument:
        return cls(**dict(plan), target=target, notes=tuple(notes))
