"""What an apply did, action by action: the report shown at the end and written by `--report`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, computed_field

from reconciler.core.actions import ActionType, Address
from reconciler.core.documents import format_version_field
from reconciler.core.safe_output import write_private_text
from reconciler.core.version import VERSION
from reconciler.errors import ReconcileError

# 2: the summary counts in plan's words (add, change, destroy), `error` null when there is
# none, and the run's `target` and `reconcile_version`.
REPORT_FORMAT_VERSION = 2


class ApplyStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"
    # The object was no longer as the plan saw it right before the write; nothing was written.
    CONFLICT = "conflict"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    NOT_STARTED = "not-started"


class ActionOutcome(BaseModel):
    """One action's result. `error` carries the API error text, which never holds a secret."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    address: Address
    action: ActionType
    status: ApplyStatus
    duration_seconds: float = 0.0
    resource_id: str | None = Field(None, description="The object's id once written.")
    error: str | None = Field(None, description="Why it is not done; null when it is.")


class ApplySummary(BaseModel):
    """Counts of actions done, in the plan summary's words, then of those not done."""

    model_config = ConfigDict(frozen=True)

    add: int
    change: int
    destroy: int
    failed: int
    conflicts: int
    blocked: int
    skipped: int
    not_started: int


class ApplyReport(BaseModel):
    """What `apply --output json` prints and `--report FILE` holds."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    format_version: int = format_version_field(REPORT_FORMAT_VERSION)
    target: str | None = Field(
        None, description="The reconcile.yaml target; null when apply ended before choosing it."
    )
    reconcile_version: str = Field(VERSION, description="The version of reconcile that ran.")
    outcomes: tuple[ActionOutcome, ...] = ()
    # Ctrl-C ended the run: during the writes (the outcomes say which were done, unless a
    # second Ctrl-C or a fault of reconcile itself cut the wait for them), or before the
    # first write (no outcomes).
    interrupted: bool = False
    # Why apply wrote nothing at all (a stale plan, blocking findings, the lock held by
    # another apply, ...); None when it ran. A refused report has no outcomes.
    refused: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> ApplySummary:
        done = [o.action for o in self.outcomes if o.status is ApplyStatus.DONE]
        status = [o.status for o in self.outcomes]
        return ApplySummary(
            # A replacement creates one object and destroys another, as the plan counts it.
            add=sum(a in (ActionType.CREATE, ActionType.REPLACE) for a in done),
            change=sum(a is ActionType.UPDATE for a in done),
            destroy=sum(a in (ActionType.DELETE, ActionType.REPLACE) for a in done),
            failed=status.count(ApplyStatus.FAILED),
            conflicts=status.count(ApplyStatus.CONFLICT),
            blocked=status.count(ApplyStatus.BLOCKED),
            skipped=status.count(ApplyStatus.SKIPPED),
            not_started=status.count(ApplyStatus.NOT_STARTED),
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def succeeded(self) -> bool:
        if self.interrupted or self.refused is not None:
            return False
        return all(o.status is ApplyStatus.DONE for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        return 0 if self.succeeded else 1

    def outcome_of(self, address: Address) -> ActionOutcome:
        return next(o for o in self.outcomes if o.address == address)

    def summary_line(self) -> str:
        if self.refused is not None:
            return f"Apply refused, nothing was written: {self.refused}"
        s = self.summary
        counts = f"Resources: {s.add} added, {s.change} changed, {s.destroy} destroyed"
        if self.succeeded:
            return f"Apply complete! {counts}."
        problems = [
            f"{count} {label}"
            for count, label in (
                (s.failed, "failed"),
                (s.conflicts, "in conflict"),
                (s.blocked, "blocked"),
                (s.skipped, "skipped"),
                (s.not_started, "not started"),
            )
            if count
        ]
        heading = "Apply interrupted!" if self.interrupted else "Apply failed!"
        if problems:
            counts += "; " + ", ".join(problems)
        return f"{heading} {counts}."


class PartialApply(ReconcileError):
    """An apply that did not do everything it planned; the report says what happened."""

    def __init__(self, report: ApplyReport) -> None:
        self.report = report
        super().__init__(report.summary_line())


def write_report(path: Path, report: ApplyReport) -> None:
    """Write the JSON report so that a reader sees the old file or the new one, never half;
    private to its owner, and cleaned of secrets and control characters servers sent."""
    write_private_text(path, report.model_dump_json(indent=2) + "\n")
