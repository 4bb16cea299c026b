"""The publishing steps of the GitHub action, configured by the environment the runner sets.

The token is read only from `GITHUB_TOKEN` (never an option, so it never shows in a command
line or a log); the repository, API address and run come from the runner's own variables.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import httpx

from reconciler.ci.github import (
    DriftIssue,
    GitHubClient,
    GitHubError,
    Published,
    close_drift_issue,
    compose,
    marker,
    report_drift,
    upsert_pr_comment,
)
from reconciler.ci.reports import annotation_commands, error_output_section, fenced, plan_counts

PLAN_OUTCOMES = {
    0: "No changes.",
    1: "**The plan failed or is blocked**: fix what it reports before merging.",
    2: "Changes will be applied when this is merged.",
}
# Without --detailed-exitcode a plan exits 0 whether or not it has changes (2 proves the flag):
# only the plan's own summary can tell then, so the headline claims neither.
PLAN_SUCCEEDED = "The plan succeeded: its summary says what merging this changes."
INVALID = (
    "**The manifests are invalid**, so nothing was planned: fix what validate reports and push "
    "again."
)
T = TypeVar("T")
NO_OUTPUT = "_reconcile printed nothing; the run's log tells why._"
# Said only when reconcile failed and wrote nothing at all, not even on standard error.
NO_OUTPUT_AFTER_FAILURE = (
    "_reconcile exited with {exit_code} without a word on standard output or standard error "
    "(killed, or it never started); the run's log shows the step._"
)

report_option = click.option(
    "--report",
    "report_file",
    envvar="REPORT_FILE",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding reconcile's markdown output.",
)
exit_code_option = click.option("--exit-code", envvar="EXIT_CODE", required=True, type=int)
run_url_option = click.option("--run-url", envvar="RUN_URL", default="", help="Link to the run.")
stderr_option = click.option(
    "--stderr",
    "stderr_file",
    envvar="STDERR_FILE",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding reconcile's standard error, shown when the command failed.",
)


@click.group()
def main() -> None:
    """Publish a reconcile report on GitHub."""


@main.command("pr-comment")
@report_option
@exit_code_option
@run_url_option
@stderr_option
@click.option("--pull-request", envvar="PR_NUMBER", required=True, type=int)
@click.option("--key", envvar="MARKER_KEY", default="", help="Tells plans of several dirs apart.")
@click.option(
    "--command",
    envvar="COMMAND",
    type=click.Choice(["plan", "validate"]),
    default="plan",
    show_default=True,
    help="What wrote the report: a plan, or validate's errors, which take the plan's place.",
)
@click.option(
    "--detailed-exitcode",
    envvar="DETAILED_EXITCODE",
    is_flag=True,
    help="The plan ran with --detailed-exitcode: its exit code tells changes (2) from none (0).",
)
def pr_comment(
    report_file: Path,
    exit_code: int,
    run_url: str,
    stderr_file: Path | None,
    pull_request: int,
    key: str,
    command: str,
    detailed_exitcode: bool,
) -> None:
    """Post the plan as one pull-request comment, edited on every later run.

    Validate's errors go into the same comment, so a pull request whose manifests stopped
    loading never keeps showing an outdated plan; valid manifests leave the comment to the plan.
    """
    if command == "validate":
        if exit_code == 0:
            click.echo("The manifests are valid; the plan's comment is left to the plan.")
            return
        report, outcome = validation_report(read_report(report_file)), INVALID
    else:
        report = read_report(report_file)
        outcome = plan_outcome(exit_code, detailed_exitcode=detailed_exitcode)
    report = with_error_output(report, read_text(stderr_file), exit_code)
    body = compose(marker("plan", key), report, footer(outcome, run_url))
    with connect() as client:
        announce(guarded(lambda: upsert_pr_comment(client, pull_request, body)), "comment")


@main.command("drift-issue")
@report_option
@exit_code_option
@run_url_option
@click.option("--label", envvar="DRIFT_LABEL", default="drift", show_default=True)
@click.option("--target", envvar="TARGET", default="", help="Named in the issue's title.")
def drift_issue(report_file: Path, exit_code: int, run_url: str, label: str, target: str) -> None:
    """Exit code 2 opens or updates the drift issue, 0 closes it; an error leaves it alone."""
    title = "Billing configuration drift" + (f" on target {target}" if target else "")
    issue = DriftIssue(
        label=label,
        title=title,
        body=compose(
            marker("drift", target or "default"),
            read_report(report_file),
            footer("Drift found: apply the manifests or change them to match.", run_url),
        ),
        run_url=run_url,
    )
    if exit_code not in (0, 2):
        click.echo(f"reconcile drift exited with {exit_code}: the drift issue is left as it is.")
        return
    with connect() as client:
        if exit_code == 2:
            announce(guarded(lambda: report_drift(client, issue)), "drift issue")
        else:
            closed = guarded(lambda: close_drift_issue(client, issue))
            if closed is None:
                click.echo("No drift and no open drift issue.")
            else:
                announce(closed, "drift issue")


def connect() -> GitHubClient:
    # Tests hand an httpx transport in as the context object; a run talks to GitHub.
    transport = click.get_current_context().find_object(httpx.BaseTransport)
    token = os.environ.get("GITHUB_TOKEN", "")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if not token or not repository:
        raise click.ClickException("GITHUB_TOKEN and GITHUB_REPOSITORY must be set")
    api_url = os.environ.get("GITHUB_API_URL", "https://api.github.com")
    return GitHubClient(api_url, repository, token, transport=transport)


@main.command("outputs")
@report_option
def outputs(report_file: Path) -> None:
    """Print the plan's counts as step outputs (`has-changes=true`, `add=1`, ...), one a line,
    for `$GITHUB_OUTPUT`; empty values when no plan was printed."""
    counts = plan_counts(read_text(report_file))
    names = ("has-changes", "add", "change", "destroy", "blocked")
    values = counts.outputs() if counts is not None else dict.fromkeys(names, "")
    for name in names:
        click.echo(f"{name}={values[name]}")


@main.command("annotate")
@report_option
def annotate(report_file: Path) -> None:
    """Print validate's problems as `::error file=...,line=...,col=...::` workflow commands,
    which GitHub shows on the lines of the pull request's files."""
    for command in annotation_commands(read_text(report_file)):
        click.echo(command)


def read_text(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8", errors="replace")


def read_report(path: Path) -> str:
    text = read_text(path)
    return text if text.strip() else NO_OUTPUT


def with_error_output(report: str, stderr: str, exit_code: int) -> str:
    """A failed command's report with its standard error after it: that says why it failed."""
    if exit_code in (0, 2):
        return report
    if not stderr.strip():
        if report == NO_OUTPUT:
            return NO_OUTPUT_AFTER_FAILURE.format(exit_code=exit_code)
        return report
    section = error_output_section(stderr)
    return section if report == NO_OUTPUT else f"{report.rstrip()}\n\n{section}"


def validation_report(text: str) -> str:
    """Validate prints plain lines: shown verbatim, in a fence no line of theirs can close."""
    if text == NO_OUTPUT:
        return text
    return f"### reconcile validate\n\n{fenced(text)}"


def plan_outcome(exit_code: int, *, detailed_exitcode: bool) -> str:
    if exit_code == 0 and not detailed_exitcode:
        return PLAN_SUCCEEDED
    return PLAN_OUTCOMES.get(exit_code, f"reconcile exited with {exit_code}.")


def footer(outcome: str, run_url: str) -> str:
    return f"{outcome} ([run]({run_url}))" if run_url else outcome


def guarded(publish: Callable[[], T]) -> T:
    try:
        return publish()
    except (GitHubError, httpx.HTTPError) as error:
        raise click.ClickException(f"could not publish on GitHub: {error}") from None


def announce(published: Published, what: str) -> None:
    click.echo(f"{what} {published.outcome}: {published.url}")
