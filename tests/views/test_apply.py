"""Reporters driven by real executor runs: Terraform-like lines, a progress line, a JSON file."""

from __future__ import annotations

import io
import itertools

from reconciler.clients.errors import ServerError
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.safe_output import for_terminal
from reconciler.engine.applying.apply_report import ActionOutcome, ApplyStatus
from reconciler.engine.applying.concurrency import AdaptiveLimit
from reconciler.engine.applying.executor import ActionResult, execute
from reconciler.engine.applying.reporting import FanOut
from reconciler.views.apply import ProgressLine, TextReporter, format_duration, outcome_line

PROFILE = Address(type="billing_profile", name="enterprise")
LINK = Address(type="customer_billing", name="acme")


def ticking(step: float) -> itertools.count[float]:
    return itertools.count(0.0, step)


def test_text_lines_as_terraform_prints_them() -> None:
    lines: list[str] = []
    clock = ticking(0.3)
    for kind in (ActionType.CREATE, ActionType.UPDATE, ActionType.DELETE, ActionType.REPLACE):
        execute(
            [Action(address=PROFILE, type=kind)],
            lambda action: ActionResult(resource_id="01JABCDEF"),
            reporter=TextReporter(lines.append),
            clock=lambda: next(clock),
        )
    assert [line for line in lines if line] == [
        "billing_profile.enterprise: Creating...",
        "billing_profile.enterprise: Creation complete after 0.3s [id=01JABCDEF]",
        "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
        "billing_profile.enterprise: Modifying...",
        "billing_profile.enterprise: Modifications complete after 0.3s [id=01JABCDEF]",
        "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
        "billing_profile.enterprise: Destroying...",
        "billing_profile.enterprise: Destruction complete after 0.3s [id=01JABCDEF]",
        "Apply complete! Resources: 0 added, 0 changed, 1 destroyed.",
        "billing_profile.enterprise: Replacing...",
        "billing_profile.enterprise: Replacement complete after 0.3s [id=01JABCDEF]",
        "Apply complete! Resources: 1 added, 0 changed, 1 destroyed.",
    ]


def test_failures_print_as_errors_and_dependants_as_skipped() -> None:
    lines: list[str] = []

    def perform(action: Action) -> ActionResult:
        raise ServerError(status=503, method="POST", route="/openmeter/profiles", title="Down")

    clock = ticking(1.25)
    execute(
        [
            Action(address=PROFILE, type=ActionType.CREATE),
            Action(address=LINK, type=ActionType.UPDATE, depends_on=frozenset({PROFILE})),
        ],
        perform,
        reporter=TextReporter(lines.append),
        clock=lambda: next(clock),
    )
    assert lines == [
        "billing_profile.enterprise: Creating...",
        "Error: billing_profile.enterprise: Creation failed after 1.2s: "
        "POST /openmeter/profiles: 503 Down",
        "customer_billing.acme: Skipped (billing_profile.enterprise was not done: failed)",
        "",
        "Apply failed! Resources: 0 added, 0 changed, 0 destroyed; 1 failed, 1 skipped.",
    ]


def test_conflicts_and_blocks_read_as_errors() -> None:
    action = Action(address=LINK, type=ActionType.UPDATE)
    conflict = ActionOutcome(
        address=LINK, action=ActionType.UPDATE, status=ApplyStatus.CONFLICT, error="it moved"
    )
    assert outcome_line(action, conflict) == (
        "Error: customer_billing.acme: not written, it changed since the plan: it moved"
    )
    blocked = conflict.model_copy(update={"status": ApplyStatus.BLOCKED, "error": "no email"})
    assert outcome_line(action, blocked) == "Error: customer_billing.acme: blocked: no email"


def test_durations_switch_to_minutes_after_a_minute() -> None:
    assert format_duration(0.04) == "0.0s"
    assert format_duration(59.94) == "59.9s"
    assert format_duration(125.2) == "2m5s"


def test_colour_only_when_asked() -> None:
    plain: list[str] = []
    coloured: list[str] = []
    for lines, color in ((plain, False), (coloured, True)):
        execute(
            [Action(address=PROFILE, type=ActionType.CREATE)],
            lambda action: ActionResult(),
            reporter=TextReporter(lines.append, color=color),
        )
    assert not any("\x1b[" in line for line in plain)
    assert "\x1b[" in coloured[-1]


class FakeTerminal(io.StringIO):
    """What a terminal shows: what reaches it through reconcile's exit."""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return super().write(for_terminal(text))


def test_progress_line_redraws_in_place_and_ends_with_a_newline() -> None:
    terminal = FakeTerminal()
    actions = [
        Action(address=Address(type="link", name=f"l{n}"), type=ActionType.CREATE)
        for n in range(10)
    ]

    def perform(action: Action) -> ActionResult:
        if action.address.name == "l3":
            raise ValueError("bad")
        return ActionResult()

    execute(
        actions,
        perform,
        limit=AdaptiveLimit(1),
        reporter=ProgressLine(terminal, min_interval=0.0),
    )
    frames = terminal.getvalue().split("\r")[1:]
    assert frames[0] == "[ 0/10]   0%"
    assert frames[4] == "[ 4/10]  40% | 1 not done"
    assert frames[-1] == "[10/10] 100% | 1 not done\n"


def test_progress_line_is_throttled() -> None:
    terminal = FakeTerminal()
    frozen_clock = 5.0
    reporter = ProgressLine(terminal, min_interval=1.0, clock=lambda: frozen_clock)
    actions = [
        Action(address=Address(type="link", name=f"l{n}"), type=ActionType.CREATE)
        for n in range(50)
    ]
    execute(actions, lambda action: ActionResult(), reporter=reporter)
    assert terminal.getvalue().count("\r") == 2  # the first frame and the final one


def test_lines_are_printed_above_the_progress_line() -> None:
    terminal = FakeTerminal()
    progress = ProgressLine(terminal, min_interval=60.0)

    def echo(line: str) -> None:
        terminal.write(line + "\n")

    actions = [Action(address=Address(type="link", name="only"), type=ActionType.CREATE)]
    reporter = FanOut(progress, TextReporter(echo, progress=progress))
    execute(actions, lambda action: ActionResult("id-1"), reporter=reporter)
    screen = terminal.getvalue()
    erase = "\r\x1b[K"
    assert screen.startswith("\r[0/1]   0%" + erase + "link.only: Creating...\n\r[0/1]   0%")
    assert erase + "link.only: Creation complete after" in screen
    # The last progress frame ends its line before the summary, which stands alone.
    assert screen.endswith(
        "\r[1/1] 100%\n\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n"
    )
