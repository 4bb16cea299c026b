"""What the action reads back from reconcile's output: the plan's counts, validate's problems as
annotations, and a report cut to GitHub's size without leaving a block open.

Pure text functions: the publishing commands and the action's steps call them, tests feed them
the CLI's real output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

# The plan's summary line, as `Plan.summary_line` writes it in text and Markdown output.
_SUMMARY = re.compile(
    r"Plan: (?P<add>\d+) to add, (?P<change>\d+) to change, (?P<destroy>\d+) to destroy\."
    r"(?: (?P<blocked>\d+) blocked\.)?(?: (?P<findings>\d+) finding\(s\) block apply\.)?"
)
_NO_CHANGES = "No changes. Live state matches the manifests."
# validate's text output: `path:line:col: kind/name: message`, one problem per line.
_PROBLEM = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
TRUNCATED = "… (truncated: the whole report is in the run's job summary)"


@dataclass(frozen=True)
class PlanCounts:
    """The plan's summary; `blocked` counts all that keeps apply from running: blocked actions
    and findings that block apply."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    blocked: int = 0

    @property
    def has_changes(self) -> bool:
        return self.add + self.change + self.destroy > 0

    def outputs(self) -> dict[str, str]:
        """The action's step outputs, by name."""
        return {
            "has-changes": str(self.has_changes).lower(),
            "add": str(self.add),
            "change": str(self.change),
            "destroy": str(self.destroy),
            "blocked": str(self.blocked),
        }


def plan_counts(output: str) -> PlanCounts | None:
    """The counts of the plan printed as text, Markdown or JSON; None when no plan was printed
    (reconcile failed before planning)."""
    from_json = _json_counts(output)
    if from_json is not None:
        return from_json
    if _NO_CHANGES in output:
        return PlanCounts()
    found = _SUMMARY.search(output)
    if found is None:
        return None
    return PlanCounts(
        add=int(found["add"]),
        change=int(found["change"]),
        destroy=int(found["destroy"]),
        blocked=int(found["blocked"] or 0) + int(found["findings"] or 0),
    )


def _json_counts(output: str) -> PlanCounts | None:
    try:
        document = json.loads(output)
    except ValueError:
        return None
    summary = document.get("summary") if isinstance(document, dict) else None
    if not isinstance(summary, dict):
        return None
    findings = document.get("findings") or []
    blocking = sum(1 for finding in findings if finding.get("severity") == "error")
    return PlanCounts(
        add=int(summary.get("add", 0)),
        change=int(summary.get("change", 0)),
        destroy=int(summary.get("destroy", 0)),
        blocked=int(summary.get("blocked", 0)) + blocking,
    )


def annotation_commands(output: str) -> Iterator[str]:
    """validate's problems as workflow commands, which GitHub shows on the pull request's
    changed lines: `::error file=F,line=L,col=C::message`."""
    # Split on newlines only: a carriage return inside a message is escaped, not a line end.
    for line in output.split("\n"):
        problem = _PROBLEM.match(line)
        if problem is None:
            continue
        properties = ",".join(
            f"{name}={_escape_property(problem[name])}" for name in ("file", "line", "col")
        )
        yield f"::error {properties}::{_escape_data(problem['message'])}"


def _escape_data(text: str) -> str:
    # The runner's escaping of a command's message: without it a `%0A` or newline in a
    # manifest's value would cut the annotation or forge another command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def truncated(report: str, limit: int) -> str:
    """The report cut at a line boundary to at most about `limit` characters, with every code
    fence and `<details>` block it leaves open closed again, so that the text after it (the
    footer) is not swallowed into a code block or a folded section."""
    if len(report) <= limit:
        return report
    kept = report[:limit].rsplit("\n", 1)[0]
    return kept + "\n" + "".join(_closers(kept)) + "\n" + TRUNCATED + "\n"


def _closers(text: str) -> list[str]:
    """What closes the fence and the `<details>` blocks still open at the end of `text`."""
    fence: str | None = None
    details = 0
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening is not None:
            fence = opening.group(1)
        elif fence is not None and line.strip() and _closes(line, fence):
            fence = None
        elif fence is None:
            details += line.count("<details") - line.count("</details>")
    closers = [f"{fence}\n"] if fence is not None else []
    return closers + ["</details>\n"] * max(details, 0)


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped[0] == fence[0] and set(stripped) == {fence[0]} and len(stripped) >= len(fence)


def fenced(text: str) -> str:
    """Plain text shown verbatim, in a fence no line of it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def error_output_section(stderr: str) -> str:
    """reconcile's standard error, shown in full, not folded: it says why a command failed."""
    return f"**reconcile's error output:**\n\n{fenced(stderr.strip())}"
