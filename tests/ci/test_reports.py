"""What the action reads back from reconcile's output: counts, annotations, cut reports.

Plans are rendered by the real views; validate's output comes from the real CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.ci.reports import (
    TRUNCATED,
    PlanCounts,
    annotation_commands,
    plan_counts,
    truncated,
)
from reconciler.cli import main
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.plan import Finding, Plan
from reconciler.views.plan import render_markdown, render_text
from reconciler.views.plan_json import PlanDocument

REPO = Path(__file__).resolve().parents[2]
APP = Address(type="stripe_app", name="stripe")
PROFILE = Address(type="billing_profile", name="enterprise")
LINK = Address(type="customer_billing", name="acme")


def blocked_plan() -> Plan:
    return Plan(
        actions=(
            Action(address=APP, type=ActionType.CREATE),
            Action(address=PROFILE, type=ActionType.REPLACE),
            Action(address=LINK, type=ActionType.BLOCKED, reasons=("no email",)),
        ),
        findings=(Finding.blocking(LINK, "cus_X does not exist", "use a customer that does"),),
    )


def test_counts_are_read_from_every_output_format_alike() -> None:
    plan = blocked_plan()
    expected = PlanCounts(add=2, change=0, destroy=1, blocked=2)
    json_output = PlanDocument.of(plan, "production", []).model_dump_json(indent=2)
    for output in (render_text(plan), render_markdown(plan), json_output):
        assert plan_counts(output) == expected
    assert expected.outputs() == {
        "has-changes": "true",
        "add": "2",
        "change": "0",
        "destroy": "1",
        "blocked": "2",
    }


def test_no_changes_and_no_plan_are_told_apart() -> None:
    assert plan_counts(render_markdown(Plan())) == PlanCounts()
    assert PlanCounts().outputs()["has-changes"] == "false"
    assert plan_counts("Error: environment variable KONNECT_TOKEN is not set\n") is None


def test_validate_problems_become_annotations_on_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = tmp_path / "manifests"
    shutil.copytree(REPO / "examples", manifests, ignore=shutil.ignore_patterns(".reconcile"))
    profile = manifests / "billing-profiles" / "enterprise.yaml"
    profile.write_text(profile.read_text().replace("P30D", "30 days"))
    # Run from the checkout's root as the action runs: paths relative to it.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "manifests"])
    assert result.exit_code == 1
    (command,) = annotation_commands(result.stdout)
    found = re.fullmatch(r"::error file=([^,]+),line=(\d+),col=(\d+)::(.*)", command)
    assert found is not None, command
    assert found[1] == "manifests/billing-profiles/enterprise.yaml"
    line = profile.read_text().splitlines()[int(found[2]) - 1]
    assert line[int(found[3]) - 1 :].startswith("30 days")
    assert found[4].startswith("BillingProfile/enterprise: spec.workflow.payment.due_after: ")


def test_annotations_escape_what_would_split_a_command() -> None:
    (command,) = annotation_commands("a,b:c.yaml:3:5: Kind/x: bad\r value %0A\n")
    assert command == "::error file=a%2Cb%3Ac.yaml,line=3,col=5::Kind/x: bad%0D value %250A"
    assert list(annotation_commands("3 documents in 2 files: valid\n")) == []


def test_a_cut_report_closes_its_fence_and_details() -> None:
    plan = Plan(
        actions=tuple(
            Action(address=Address(type="tax_code", name=f"code-{n}"), type=ActionType.CREATE)
            for n in range(400)
        )
    )
    markdown = render_markdown(plan)
    cut = truncated(markdown, len(markdown) // 2)
    assert len(cut) < len(markdown)
    assert cut.count("```") % 2 == 0
    assert cut.count("<details>") == cut.count("</details>") == 1
    assert cut.rstrip().endswith("(truncated: the whole report is in the run's job summary)")
    # Nothing after the cut note is inside a block: the note is the last line of the report.
    assert cut.index("</details>") < cut.index("truncated:")


def test_a_longer_fence_is_closed_with_its_own_length() -> None:
    report = "````text\n```\nstill inside\n" + "line\n" * 100
    cut = truncated(report, 60)
    # The inner ``` does not close a ```` fence, and does not count as one.
    assert cut.endswith("line\n````\n\n" + TRUNCATED + "\n")


def test_a_short_report_is_left_as_it_is() -> None:
    assert truncated("### reconcile plan\n", 100) == "### reconcile plan\n"
