from __future__ import annotations

import json

from reconciler.core.actions import Action, ActionType, Address, FieldChange
from reconciler.core.plan import Finding, Plan, Severity
from reconciler.core.safe_output import for_terminal
from reconciler.views.plan import render_markdown, render_text

PROFILE = Address(type="billing_profile", name="enterprise")
APP = Address(type="stripe_app", name="stripe")


def test_empty_plan_says_no_changes_and_is_recognisable_from_json() -> None:
    plan = Plan(
        actions=(Action(address=APP, type=ActionType.NOOP),), prune_scope=("billing_profile",)
    )
    text = render_text(plan)
    assert "No changes." in text
    assert "Prune:" not in text  # off, as on every run: nothing to say
    pruning = render_text(plan.model_copy(update={"prune": True}))
    assert "Prune: on (scope: billing_profile)" in pruning
    data = json.loads(plan.model_dump_json())
    assert data["is_noop"] is True
    assert data["summary"] == {"add": 0, "change": 0, "destroy": 0, "blocked": 0}


def test_terraform_vocabulary_and_summary_counts_replace_twice() -> None:
    plan = Plan(
        actions=(
            Action(
                address=PROFILE,
                type=ActionType.UPDATE,
                changes=(
                    FieldChange(path="workflow.collection.interval", before="PT1H", after="P1D"),
                ),
            ),
            Action(
                address=Address(type="billing_profile", name="eu"),
                type=ActionType.REPLACE,
                changes=(
                    FieldChange(path="app", before="old", after="new", forces_replacement=True),
                ),
                reasons=("a profile's app cannot change in Konnect",),
            ),
            Action(
                address=APP,
                type=ActionType.CREATE,
                changes=(FieldChange(path="api_key", sensitive=True),),
            ),
        )
    )
    text = render_text(plan)
    assert '  ~ billing_profile "enterprise" {' in text
    assert '      ~ workflow.collection.interval = "PT1H" -> "P1D"' in text
    assert '  -/+ billing_profile "eu" {' in text
    assert '"old" -> "new" # forces replacement' in text
    assert "      + api_key = (sensitive value)" in text
    assert text.rstrip().endswith("Plan: 2 to add, 1 to change, 1 to destroy.")
    assert "\x1b[" not in text


def test_findings_are_listed_with_their_fix_and_colour_only_on_request() -> None:
    plan = Plan(
        actions=(Action(address=PROFILE, type=ActionType.BLOCKED),),
        findings=(
            Finding(
                address=PROFILE,
                severity=Severity.ERROR,
                message="Stripe Tax is not active",
                fix="activate Stripe Tax",
            ),
        ),
    )
    text = for_terminal(render_text(plan, color=True))
    # The label and the symbols carry the colour, the rest of the line stays plain.
    assert "\x1b[31m\x1b[22mError\x1b[0m: billing_profile.enterprise: Stripe Tax is not" in text
    assert '  \x1b[31m\x1b[22m!\x1b[0m billing_profile "enterprise" {' in text
    assert "Fix: activate Stripe Tax" in text
    assert "\x1b[97m" not in text  # no bright white: unreadable on a light background
    assert "1 blocked." in text
    assert plan.blocking_findings == plan.findings


def test_a_plan_that_changes_nothing_but_has_a_blocking_finding_is_no_noop() -> None:
    unchanged = (Action(address=APP, type=ActionType.NOOP),)
    missing = Finding.blocking(PROFILE, "Stripe customer cus_X was deleted", "link another")
    plan = Plan(actions=unchanged, findings=(missing,))
    assert plan.is_noop is False
    assert json.loads(plan.model_dump_json())["is_noop"] is False
    summary = "Plan: 0 to add, 0 to change, 0 to destroy. 1 finding(s) block apply."
    assert render_text(plan).rstrip().endswith(summary)
    assert "No changes" not in render_text(plan)
    assert render_markdown(plan).startswith(f"### reconcile plan\n\n**{summary}**")
    # A warning is shown, but apply still has nothing to do and nothing keeps it from running.
    warned = Finding(address=PROFILE, severity=Severity.WARNING, message="pinned")
    quiet = Plan(actions=unchanged, findings=(warned,))
    assert quiet.is_noop is True
    assert quiet.summary_line() == "No changes. Live state matches the manifests."


def test_markdown_leads_with_the_summary_and_marks_lines_for_github() -> None:
    plan = Plan(
        actions=(
            Action(
                address=PROFILE,
                type=ActionType.UPDATE,
                changes=(FieldChange(path="name", before="A", after="B"),),
            ),
        )
    )
    markdown = render_markdown(plan)
    assert markdown.startswith(
        "### reconcile plan\n\n**Plan: 0 to add, 1 to change, 0 to destroy.**"
    )
    assert "```diff\n" in markdown
    assert '\n!       ~ name = "A" -> "B"' in markdown
    assert (
        render_markdown(Plan())
        == "### reconcile plan\n\n**No changes. Live state matches the manifests.**\n"
    )


def test_markdown_puts_warnings_above_the_summary_and_notes_below_it() -> None:
    plan = Plan(actions=(Action(address=PROFILE, type=ActionType.CREATE),))
    markdown = render_markdown(plan, notes=["Target: prod", "Note: keys"], warnings=["Loud"])
    warning, summary, notes = markdown.split("\n\n")[1:4]
    assert warning == "> [!WARNING]\n> Loud"
    assert summary == "**Plan: 1 to add, 0 to change, 0 to destroy.**"
    assert notes == "- Target: prod\n- Note: keys"
    assert "<details>" in markdown


def test_an_action_names_what_it_waits_for_among_the_planned_changes() -> None:
    waits = Action(address=PROFILE, type=ActionType.UPDATE, depends_on=frozenset({APP}))
    app_changes = Action(address=APP, type=ActionType.UPDATE)
    app_unchanged = Action(address=APP, type=ActionType.NOOP)
    assert "  # (after stripe_app.stripe)\n" in render_text(Plan(actions=(app_changes, waits)))
    assert "# (after" not in render_text(Plan(actions=(waits, app_unchanged)))


def test_markdown_shows_what_blocks_apply_above_the_fold() -> None:
    link = Address(type="customer_billing", name="acme")
    plan = Plan(
        actions=(
            Action(address=PROFILE, type=ActionType.CREATE),
            Action(address=link, type=ActionType.BLOCKED, reasons=("the customer has no email",)),
        ),
        findings=(Finding.blocking(APP, "the key reads no account", "set STRIPE_API_KEY"),),
    )
    markdown = render_markdown(plan, warnings=["WARNING: Stripe checks were skipped"])
    folded = markdown.index("<details>")
    blocking = markdown.index("> [!CAUTION]")
    assert blocking < folded
    assert "> - `stripe_app.stripe`: the key reads no account Fix: set STRIPE_API_KEY" in markdown
    assert "> - `customer_billing.acme` is blocked: the customer has no email" in markdown
    # The alert is titled "Warning" by GitHub: its text does not say it again.
    assert "> [!WARNING]\n> Stripe checks were skipped\n" in markdown
    assert "[!CAUTION]" not in render_markdown(Plan(actions=plan.actions[:1]))
