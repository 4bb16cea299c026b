"""Drift reports for people: Terraform-like text for terminals, Markdown for an issue body.

Both are functions of the report alone (no clock, no run id), so an unchanged drift renders
the same body every time and a bot can tell whether its issue needs an update.
"""

from __future__ import annotations

import html
import json
from typing import Any

from reconciler.core.actions import Address
from reconciler.engine.drift import DriftClass, DriftField, DriftItem, DriftReport
from reconciler.views.style import styled_if

SENSITIVE = "(sensitive value differs)"
ABSENT = "(not set)"
_SYMBOL = {
    DriftClass.CHANGED: ("~", "yellow"),
    DriftClass.DELETED: ("-", "red"),
    DriftClass.UNMANAGED_MATCH: ("?", "magenta"),
    DriftClass.STRIPE: ("!", "red"),
}


def render_drift_text(report: DriftReport, *, color: bool = False) -> str:
    lines: list[str] = []
    if report.items:
        lines += ["reconcile found drift between the manifests and the live state:", ""]
        for item in report.items:
            lines += _item_block(item, color)
    lines.append(styled_if(color, report.summary_line(), bold=True))
    return "\n".join(lines) + "\n"


def _item_block(item: DriftItem, color: bool) -> list[str]:
    symbol, colour = _SYMBOL[item.drift_class]
    address = item.address
    when = f" (changed at {item.changed_at})" if item.changed_at else ""
    lines = [f"  # {address}: {_headline(item)}{when}"]
    lines += [f"  # ({note})" for note in item.notes]
    header = f'  {styled_if(color, symbol, colour)} {address.type} "{address.name}"'
    if item.fields:
        lines.append(header + " {")
        lines += [_field_line(field, color) for field in item.fields]
        lines.append("    }")
    else:
        lines.append(header)
    if item.fix:
        lines.append(f"  Fix: {item.fix}")
    return [*lines, ""]


def _headline(item: DriftItem) -> str:
    if item.drift_class is DriftClass.STRIPE:
        return f"Stripe: {item.message}"
    if item.drift_class is DriftClass.UNMANAGED_MATCH:
        return f"not managed by reconcile: {item.message}"
    return item.message


_FIELD_COLOUR = {"+": "green", "-": "red", "~": "yellow"}


def _field_line(field: DriftField, color: bool) -> str:
    symbol, text = _field_change(field)
    return f"      {styled_if(color, symbol, _FIELD_COLOUR[symbol])} {text}"


def _field_change(field: DriftField) -> tuple[str, str]:
    """In `plan`'s grammar, the update that would undo the drift: `~ path = live -> manifest`,
    `+ path = manifest` for a field unset live, `- path = live` for one the manifest leaves
    unset."""
    if field.sensitive:
        return "~", f"{field.path} = {SENSITIVE}"
    if field.live is None:
        return "+", f"{field.path} = {_value(field.manifest)}"
    if field.manifest is None:
        return "-", f"{field.path} = {_value(field.live)}"
    return "~", f"{field.path} = {_value(field.live)} -> {_value(field.manifest)}"


def _value(value: Any) -> str:
    return ABSENT if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def render_drift_markdown(report: DriftReport, target: str) -> str:
    """An issue body: a heading, the summary, then one section per drifted resource."""
    lines = [f"## reconcile drift: {target}", "", f"**{report.summary_line()}**", ""]
    if not report.stripe_checks:
        # An alert box on GitHub: an issue saying "no drift" must not hide what was not looked at.
        lines += ["> [!WARNING]", "> Stripe checks were skipped; Stripe drift is not shown.", ""]
    by_address: dict[Address, list[DriftItem]] = {}
    for item in report.items:
        by_address.setdefault(item.address, []).append(item)
    for address, items in by_address.items():
        lines += _markdown_section(address, items)
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_section(address: Address, items: list[DriftItem]) -> list[str]:
    lines = [f"### `{address}`", ""]
    for item in items:
        when = f" (changed at {item.changed_at})" if item.changed_at else ""
        lines.append(f"- **{item.drift_class.value}**: {_cell(item.message)}{when}")
        lines += [f"  - {_cell(note)}" for note in item.notes]
        if item.fix:
            lines.append(f"  - Fix: {_cell(item.fix)}")
    lines.append("")
    fields = [field for item in items for field in item.fields]
    if fields:
        lines += ["| Field | Manifest | Live |", "|---|---|---|"]
        lines += [_markdown_row(field) for field in fields]
        lines.append("")
    return lines


def _markdown_row(field: DriftField) -> str:
    if field.sensitive:
        return f"| {_code(field.path)} | (sensitive) | (sensitive, differs) |"
    cells = (_code(field.path), _code(_value(field.manifest)), _code(_value(field.live)))
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    # <code> with escaped content survives backticks and pipes in values, unlike `...`.
    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|")
