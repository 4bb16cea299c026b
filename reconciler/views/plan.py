"""Plans for people, in the vocabulary of Terraform (`+`, `~`, `-`, `-/+`): text and Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from reconciler.core.actions import Action, ActionType, Address, FieldChange
from reconciler.core.plan import BilledThrough, MovedLink, Plan, Severity
from reconciler.views.plan_json import PlanDocument
from reconciler.views.style import styled_if

_SYMBOL = {
    ActionType.CREATE: ("+", "green", "will be created"),
    ActionType.UPDATE: ("~", "yellow", "will be updated in-place"),
    ActionType.DELETE: ("-", "red", "will be destroyed"),
    ActionType.REPLACE: ("-/+", "magenta", "must be replaced"),
    ActionType.BLOCKED: ("!", "red", "is blocked"),
}
SENSITIVE = "(sensitive value)"
LABEL_ONLY = "(label only)"


def render_text(plan: Plan, *, color: bool = False) -> str:
    lines: list[str] = []
    changing = [a for a in plan.actions if a.type is not ActionType.NOOP]
    if changing:
        lines += ["reconcile will perform the following actions:", ""]
        planned = {a.address for a in changing}
        for action in changing:
            lines += _action_block(action, planned, color)
    lines += _moved_links(plan, color)
    lines += _findings(plan, color)
    lines += _notices(plan)
    lines += _scope(plan)
    lines.append(styled_if(color, plan.summary_line(), bold=True))
    return "\n".join(lines) + "\n"


def _action_block(action: Action, planned: set[Address], color: bool) -> list[str]:
    symbol, colour, verb = _SYMBOL[action.type]
    lines = [f"  # {action.address} {verb}"]
    lines += [f"  # ({reason})" for reason in action.reasons]
    # Only waits on other actions of this plan explain its order; no-op dependencies do not.
    waits_for = sorted(str(a) for a in action.depends_on & planned)
    if waits_for:
        lines.append(f"  # (after {', '.join(waits_for)})")
    header = f'  {styled_if(color, symbol, colour)} {action.address.type} "{action.address.name}"'
    if action.type is ActionType.UPDATE and not action.changes:
        # Bookkeeping only (the applied-digest label): no field of the manifest's changes,
        # so no empty block; the reason above says what is written.
        return [*lines, f"{header} {LABEL_ONLY}", ""]
    lines.append(header + " {")
    lines += [_change_line(action.type, change, color) for change in action.changes]
    lines += ["    }", ""]
    return lines


_CHANGE_COLOUR = {"+": "green", "-": "red", "~": "yellow"}


def _change_line(kind: ActionType, change: FieldChange, color: bool) -> str:
    symbol, text = _change(kind, change)
    return f"      {styled_if(color, symbol, _CHANGE_COLOUR[symbol])} {text}"


def _change(kind: ActionType, change: FieldChange) -> tuple[str, str]:
    before = SENSITIVE if change.sensitive else _value(change.before)
    after = SENSITIVE if change.sensitive else _value(change.after)
    tail = " # forces replacement" if change.forces_replacement else ""
    if kind is ActionType.CREATE:
        return "+", f"{change.path} = {after}"
    if kind is ActionType.DELETE:
        return "-", f"{change.path} = {before}"
    if change.before is None and not change.sensitive:
        return "+", f"{change.path} = {after}{tail}"
    if change.after is None and not change.sensitive:
        return "-", f"{change.path} = {before}{tail}"
    return "~", f"{change.path} = {before} -> {after}{tail}"


MOVED_HEADING = "Customer links that move to another billing profile or collection method:"


def _moved_links(plan: Plan, color: bool) -> list[str]:
    # Listed apart from the actions: most of these moves are no write of the link's own, and
    # a reviewer must not have to work out which customers a change of default carries along.
    if not plan.moved_links:
        return []
    lines = [MOVED_HEADING]
    mark = styled_if(color, "~", "yellow")
    lines += [f"  {mark} {_moved_line(moved)}" for moved in plan.moved_links]
    return [*lines, ""]


def _moved_line(moved: MovedLink) -> str:
    """`customer_billing.globex: charge_automatically -> send_invoice (follows ...)`."""
    return f"{moved.address}: {_method(moved.before)} -> {_method(moved.after)} ({moved.cause})"


def _method(billed: BilledThrough) -> str:
    return billed.collection_method or "(collection method unknown)"


def _findings(plan: Plan, color: bool) -> list[str]:
    lines: list[str] = []
    for finding in plan.findings:
        label = "Error" if finding.severity is Severity.ERROR else "Warning"
        colour = "red" if finding.severity is Severity.ERROR else "yellow"
        lines.append(f"{styled_if(color, label, colour)}: {finding.address}: {finding.message}")
        if finding.fix:
            lines.append(f"  Fix: {finding.fix}")
    return lines + ([""] if lines else [])


NOTICES_HEADING = "Notices:"


def _notices(plan: Plan) -> list[str]:
    if not plan.notices:
        return []
    lines = [NOTICES_HEADING]
    lines += [f"  {notice.address}: {notice.message}" for notice in plan.notices]
    return [*lines, ""]


def _scope(plan: Plan) -> list[str]:
    # "Prune: off" on every run said nothing new; the line shows only what --prune turned on
    # (the JSON keeps `prune` and `prune_scope` either way).
    kinds = ", ".join(plan.prune_scope) or "none"
    lines = [f"Prune: on (scope: {kinds})"] if plan.prune else []
    if plan.not_managed:
        names = ", ".join(str(a) for a in plan.not_managed)
        lines.append(f"Not managed (left untouched): {names}")
    return [*lines, ""] if lines else []


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def render_markdown(plan: Plan, *, notes: Sequence[str] = (), warnings: Sequence[str] = ()) -> str:
    """A PR comment: warnings first, where a reviewer cannot miss them; the summary and the
    notes (target, keys, caveats); then the same text as the terminal in a diff block."""
    parts = ["### reconcile plan", *(_alert("WARNING", warning) for warning in warnings)]
    parts.append(f"**{plan.summary_line()}**")
    blocking = _what_blocks(plan)
    if blocking:
        parts.append(blocking)
    if notes:
        parts.append("\n".join(f"- {note}" for note in notes))
    if plan.moved_links:
        parts.append(_moved_list(plan.moved_links))
    if not plan.is_noop or plan.findings or plan.notices:
        body = _diff_block(render_text(plan, color=False))
        parts.append(f"<details><summary>Details</summary>\n\n{body}\n</details>")
    return "\n\n".join(parts) + "\n"


def _what_blocks(plan: Plan) -> str:
    """Findings and actions that keep apply from running, above the fold: a reviewer must see
    why the plan failed without unfolding its details."""
    items = [
        f"- `{finding.address}`: {finding.message}"
        + (f" Fix: {finding.fix}" if finding.fix else "")
        for finding in plan.blocking_findings
    ]
    items += [
        f"- `{action.address}` is blocked: {'; '.join(action.reasons)}"
        for action in plan.blocked_actions
    ]
    if not items:
        return ""
    return "\n".join(["> [!CAUTION]", "> **What blocks apply:**", ">", *(f"> {i}" for i in items)])


def _moved_list(moved_links: Sequence[MovedLink]) -> str:
    # Outside the folded details: a reviewer sees which customers change how they pay.
    heading = f"{len(moved_links)} customer link(s) move to another billing profile or " + (
        "collection method:"
    )
    items = "\n".join(f"- `{_moved_line(moved)}`" for moved in moved_links)
    return f"**{heading}**\n\n{items}"


def _alert(kind: str, text: str) -> str:
    # GitHub renders `> [!WARNING]` as a coloured alert box, titled "Warning"; elsewhere it
    # stays a quote. A text that starts by saying "WARNING:" would say it twice.
    return f"> [!{kind}]\n> {text.removeprefix(kind + ': ')}"


def _diff_block(text: str) -> str:
    # GitHub colours lines by their first character in a `diff` block, so the Terraform
    # symbols are moved to the front of each line.
    lines = []
    for line in text.rstrip("\n").splitlines():
        stripped = line.lstrip()
        marker = stripped[:1] if stripped[:1] in "+-~!" else " "
        marker = {"~": "!", "!": "-"}.get(marker, marker)
        lines.append(marker + " " + line)
    fence = "```"
    return fence + "diff\n" + "\n".join(lines) + "\n" + fence


SKIPPED_CHECKS = (
    "WARNING: Stripe checks were skipped (--skip-stripe-checks). Konnect does not check "
    "Stripe ids either: a wrong one surfaces only when an invoice is due."
)
NOT_REFRESHED = (
    "Note: --refresh=false: customer links whose applied-digest label matches the manifest "
    "were not read, nor their Stripe customers checked again; edits made to their billing "
    "outside reconcile are not shown."
)


def show_plan(
    plan: Plan,
    target: str,
    notes: Sequence[str],
    output: str,
    color: bool,
    warnings: Sequence[str] = (),
) -> None:
    """Print the plan as `output` asks: JSON (`PlanDocument`), Markdown or text."""
    if output == "json":
        document = PlanDocument.of(plan, target, [*notes, *warnings])
        click.echo(document.model_dump_json(indent=2))
    elif output == "markdown":
        click.echo(render_markdown(plan, notes=notes, warnings=warnings), nl=False)
    else:
        for note in [*notes, *warnings]:
            click.echo(note)
        click.echo("")
        click.echo(render_text(plan, color=color), nl=False)
