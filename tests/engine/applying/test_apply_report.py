"""The apply report: counts like the plan, never claims success after a problem, JSON on disk."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.core.actions import ActionType, Address
from reconciler.engine.applying.apply_report import (
    ActionOutcome,
    ApplyReport,
    ApplyStatus,
    PartialApply,
    write_report,
)
from reconciler.errors import ReconcileError


def outcome(name: str, action: ActionType, status: ApplyStatus) -> ActionOutcome:
    return ActionOutcome(address=Address(type="kind", name=name), action=action, status=status)


def test_replacements_count_as_one_added_and_one_destroyed() -> None:
    report = ApplyReport(
        outcomes=(
            outcome("a", ActionType.CREATE, ApplyStatus.DONE),
            outcome("b", ActionType.REPLACE, ApplyStatus.DONE),
            outcome("c", ActionType.UPDATE, ApplyStatus.DONE),
            outcome("d", ActionType.DELETE, ApplyStatus.DONE),
        )
    )
    assert report.succeeded
    assert report.summary_line() == "Apply complete! Resources: 2 added, 1 changed, 2 destroyed."


def test_any_problem_makes_it_a_failure_that_counts_only_what_was_done() -> None:
    report = ApplyReport(
        outcomes=(
            outcome("a", ActionType.CREATE, ApplyStatus.DONE),
            outcome("b", ActionType.CREATE, ApplyStatus.FAILED),
            outcome("c", ActionType.UPDATE, ApplyStatus.CONFLICT),
            outcome("d", ActionType.DELETE, ApplyStatus.SKIPPED),
            outcome("e", ActionType.CREATE, ApplyStatus.BLOCKED),
        )
    )
    assert not report.succeeded and report.exit_code == 1
    assert report.summary_line() == (
        "Apply failed! Resources: 1 added, 0 changed, 0 destroyed; "
        "1 failed, 1 in conflict, 1 blocked, 1 skipped."
    )
    assert str(PartialApply(report)) == report.summary_line()
    # Exit 1, as every error under the one base (the command line maps it in one place).
    assert isinstance(PartialApply(report), ReconcileError)


def test_an_interrupted_run_is_never_complete_even_when_all_it_started_is_done() -> None:
    report = ApplyReport(
        outcomes=(outcome("a", ActionType.CREATE, ApplyStatus.DONE),), interrupted=True
    )
    assert report.exit_code == 1
    assert report.summary_line() == "Apply interrupted! Resources: 1 added, 0 changed, 0 destroyed."


def test_written_json_round_trips_with_summary_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    report = ApplyReport(
        outcomes=(
            outcome("a", ActionType.CREATE, ApplyStatus.DONE),
            outcome("b", ActionType.UPDATE, ApplyStatus.NOT_STARTED),
        ),
        interrupted=True,
    )
    path = tmp_path / "report.json"
    path.write_text("old", encoding="utf-8")
    write_report(path, report)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["succeeded"] is False
    assert data["summary"]["not_started"] == 1
    assert data["outcomes"][1]["status"] == "not-started"
    assert (
        ApplyReport.model_validate(
            {k: v for k, v in data.items() if k not in ("summary", "succeeded")}
        )
        == report
    )
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_refused_run_is_no_success_though_nothing_failed() -> None:
    report = ApplyReport(refused="the saved plan is stale")
    assert not report.succeeded
    assert report.exit_code == 1
    assert report.summary_line() == "Apply refused, nothing was written: the saved plan is stale"
    assert ApplyReport().succeeded
