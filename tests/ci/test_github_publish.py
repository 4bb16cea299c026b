"""`python -m reconciler.ci`: one plan comment per pull request, one drift issue per target.

GitHub is emulated at the HTTP boundary (the sandbox has no GitHub): a small in-memory
repository answering the REST routes the publisher calls, with GitHub's paging links.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.ci.commands import main
from reconciler.ci.github import MAX_REPORT_CHARS
from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.plan import Plan
from reconciler.views.plan import render_markdown

TOKEN = "ghs_" + "publishLeakCanary" * 2
API = "https://api.github.test"
PREFIX = "/repos/acme/billing"
RUN_URL = "https://github.test/acme/billing/actions/runs/7"


@dataclass
class FakeRepository:
    """Comments per pull request and issues of one repository, as GitHub keeps them."""

    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    page_size: int = 100

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        route = request.url.path.removeprefix(PREFIX)
        self.requests.append(f"{request.method} {route}")
        body = json.loads(request.content) if request.content else {}
        parts = route.strip("/").split("/")
        match request.method, parts:
            case "GET", ["issues", number, "comments"]:
                return self.page(request, self.comments.get(int(number), []))
            case "POST", ["issues", number, "comments"]:
                return self.add_comment(int(number), body["body"])
            case "PATCH", ["issues", "comments", comment_id]:
                return self.edit_comment(int(comment_id), body["body"])
            case "GET", ["issues"]:
                return self.page(request, self.open_issues(request.url.params["labels"]))
            case "POST", ["issues"]:
                return self.open_issue(body)
            case "PATCH", ["issues", number]:
                issue = self.issue(int(number))
                issue.update(body)
                return httpx.Response(200, json=issue)
            case "GET", ["labels", name] if unquote(name) in self.labels:
                return httpx.Response(200, json=self.labels[unquote(name)])
            case "POST", ["labels"]:
                if body["name"] in self.labels:
                    return httpx.Response(422, json={"message": "Validation Failed"})
                self.labels[body["name"]] = body
                return httpx.Response(201, json=body)
        return httpx.Response(404, json={"message": "Not Found"})

    def page(self, request: httpx.Request, items: list[dict[str, Any]]) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        start = (number - 1) * self.page_size
        headers = {}
        if start + self.page_size < len(items):
            headers["Link"] = f'<{request.url.copy_set_param("page", number + 1)}>; rel="next"'
        return httpx.Response(200, json=items[start : start + self.page_size], headers=headers)

    def add_comment(self, number: int, body: str) -> httpx.Response:
        comment_id = next(self.ids)
        comment = {"id": comment_id, "body": body, "html_url": f"comment/{comment_id}"}
        self.comments.setdefault(number, []).append(comment)
        return httpx.Response(201, json=comment)

    def edit_comment(self, comment_id: int, body: str) -> httpx.Response:
        every = itertools.chain.from_iterable(self.comments.values())
        comment = next(c for c in every if c["id"] == comment_id)
        comment["body"] = body
        return httpx.Response(200, json=comment)

    def open_issues(self, label: str) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["state"] == "open" and label in i["labels"]]

    def open_issue(self, fields: dict[str, Any]) -> httpx.Response:
        number = len(self.issues) + 1
        # A label the repository lacks is not kept here: the case that loses the issue.
        labels = [label for label in fields.get("labels", []) if label in self.labels]
        issue = {
            **fields,
            "labels": labels,
            "number": number,
            "state": "open",
            "html_url": f"issue/{number}",
        }
        self.issues.append(issue)
        return httpx.Response(201, json=issue)

    def issue(self, number: int) -> dict[str, Any]:
        return next(i for i in self.issues if i["number"] == number)


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> FakeRepository:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/billing")
    monkeypatch.setenv("GITHUB_API_URL", API)
    monkeypatch.setenv("RUN_URL", RUN_URL)
    return FakeRepository()


def publish(github: FakeRepository, *args: str) -> Result:
    transport = httpx.MockTransport(github.handle)
    result = CliRunner().invoke(main, list(args), obj=transport)
    assert TOKEN not in result.output
    return result


def report(tmp_path: Path, text: str) -> str:
    path = tmp_path / "report.md"
    path.write_text(text)
    return str(path)


def comment_args(report_file: str, exit_code: int, key: str = "manifests@production") -> list[str]:
    options = {"--report": report_file, "--exit-code": str(exit_code), "--key": key}
    return ["pr-comment", "--pull-request", "12", *itertools.chain(*options.items())]


def test_first_plan_posts_a_comment_with_a_hidden_marker(
    github: FakeRepository, tmp_path: Path
) -> None:
    result = publish(github, *comment_args(report(tmp_path, "### reconcile plan\n+ add"), 2))
    assert result.exit_code == 0, result.output
    assert result.output == "comment created: comment/1000\n"
    (comment,) = github.comments[12]
    assert comment["body"].splitlines()[:2] == [
        "<!-- reconcile:plan manifests@production -->",
        "### reconcile plan",
    ]
    assert comment["body"].rstrip().endswith(f"applied when this is merged. ([run]({RUN_URL}))")


def test_later_plans_edit_the_same_comment(github: FakeRepository, tmp_path: Path) -> None:
    github.comments[12] = [{"id": 1, "body": "LGTM", "html_url": "comment/1"}]
    publish(github, *comment_args(report(tmp_path, "first plan"), 2))
    result = publish(github, *comment_args(report(tmp_path, "second plan"), 1))
    assert result.output == "comment updated: comment/1000\n"
    human, ours = github.comments[12]
    assert human["body"] == "LGTM"
    assert "second plan" in ours["body"] and "first plan" not in ours["body"]
    assert "**The plan failed or is blocked**" in ours["body"]


def test_plans_of_other_directories_keep_their_own_comment(
    github: FakeRepository, tmp_path: Path
) -> None:
    publish(github, *comment_args(report(tmp_path, "eu plan"), 2, key="eu@production"))
    publish(github, *comment_args(report(tmp_path, "us plan"), 0, key="us@production"))
    assert [c["body"].split("\n")[1] for c in github.comments[12]] == ["eu plan", "us plan"]


def test_no_changes_is_said_only_when_the_plan_ran_with_detailed_exitcode(
    github: FakeRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the flag a plan with changes exits 0 too: its own summary is the one to read.
    changes = report(tmp_path, "### reconcile plan\n\n**Plan: 1 to add, 0 to change.**")
    publish(github, *comment_args(changes, 0))
    body = github.comments[12][0]["body"]
    assert "No changes." not in body
    assert "The plan succeeded: its summary says what merging this changes." in body
    publish(github, *comment_args(report(tmp_path, "no changes"), 0), "--detailed-exitcode")
    assert github.comments[12][0]["body"].rstrip().endswith(f"No changes. ([run]({RUN_URL}))")
    # As the action tells it, from the arguments the plan ran with.
    monkeypatch.setenv("DETAILED_EXITCODE", "false")
    publish(github, *comment_args(changes, 0))
    assert "No changes." not in github.comments[12][0]["body"]
    monkeypatch.setenv("DETAILED_EXITCODE", "true")
    publish(github, *comment_args(report(tmp_path, "no changes"), 0))
    assert "No changes. ([run]" in github.comments[12][0]["body"]


def test_the_marked_comment_is_found_past_the_first_page(
    github: FakeRepository, tmp_path: Path
) -> None:
    github.page_size = 3
    github.comments[12] = [{"id": n, "body": f"chat {n}", "html_url": "x"} for n in range(7)]
    publish(github, *comment_args(report(tmp_path, "one"), 2))
    publish(github, *comment_args(report(tmp_path, "two"), 2))
    assert len(github.comments[12]) == 8
    assert github.requests.count("GET /issues/12/comments") == 6  # 3 pages, twice


def test_an_empty_report_still_says_where_to_look(github: FakeRepository, tmp_path: Path) -> None:
    publish(github, *comment_args(str(tmp_path / "never-written.md"), 2))
    assert "reconcile printed nothing" in github.comments[12][0]["body"]


def test_a_failed_plan_shows_its_error_output(github: FakeRepository, tmp_path: Path) -> None:
    stderr = tmp_path / "stderr.txt"
    stderr.write_text("Error: environment variable STRIPE_READ_KEY is not set\n")
    args = comment_args(str(tmp_path / "never-written.md"), 1)
    publish(github, *args, "--stderr", str(stderr))
    body = github.comments[12][0]["body"]
    assert "printed nothing" not in body
    assert "```text\nError: environment variable STRIPE_READ_KEY is not set\n```" in body
    # After a plan that printed its findings, the error output comes below them, unfolded.
    publish(
        github,
        *comment_args(report(tmp_path, "### reconcile plan\n+ add"), 1),
        "--stderr",
        str(stderr),
    )
    body = github.comments[12][0]["body"]
    assert body.index("+ add") < body.index("**reconcile's error output:**")
    # A run that changed nothing or found changes keeps its error output (progress) to the log.
    publish(
        github, *comment_args(report(tmp_path, "### reconcile plan"), 2), "--stderr", str(stderr)
    )
    assert "error output" not in github.comments[12][0]["body"]


def test_a_failure_without_any_output_says_so(github: FakeRepository, tmp_path: Path) -> None:
    empty = tmp_path / "stderr.txt"
    empty.write_text("")
    publish(github, *comment_args(str(tmp_path / "none.md"), 137), "--stderr", str(empty))
    body = github.comments[12][0]["body"]
    assert "reconcile exited with 137 without a word on standard output or standard error" in body


def test_a_huge_report_is_cut_below_githubs_limit(github: FakeRepository, tmp_path: Path) -> None:
    publish(github, *comment_args(report(tmp_path, "x" * (MAX_REPORT_CHARS * 2)), 2))
    body = github.comments[12][0]["body"]
    assert len(body) < 65_536
    assert "truncated: the whole report is in the run's job summary" in body


def test_a_cut_plan_leaves_the_footer_outside_its_blocks(
    github: FakeRepository, tmp_path: Path
) -> None:
    plan = Plan(
        actions=tuple(
            Action(address=Address(type="tax_code", name=f"c{n:05}"), type=ActionType.CREATE)
            for n in range(3_000)
        )
    )
    publish(github, *comment_args(report(tmp_path, render_markdown(plan)), 2))
    body = github.comments[12][0]["body"]
    assert len(body) < 65_536
    before_footer, footer = body.rstrip("\n").rsplit("\n\n", 1)
    assert footer.startswith("Changes will be applied when this is merged.")
    assert before_footer.count("```") % 2 == 0
    assert before_footer.count("<details>") == before_footer.count("</details>")


@pytest.mark.usefixtures("github")
def test_a_refusal_names_the_route_and_reason_without_the_token(tmp_path: Path) -> None:
    refused = CliRunner().invoke(
        main,
        comment_args(report(tmp_path, "plan"), 2),
        obj=httpx.MockTransport(lambda _: httpx.Response(403, json={"message": "Forbidden"})),
    )
    assert refused.exit_code == 1
    assert "GitHub answered 403 to GET /issues/12/comments: Forbidden" in refused.output
    assert TOKEN not in refused.output


def validate_args(report_file: str, exit_code: int) -> list[str]:
    return [*comment_args(report_file, exit_code), "--command", "validate"]


def test_validation_errors_take_the_place_of_the_plan(
    github: FakeRepository, tmp_path: Path
) -> None:
    publish(github, *comment_args(report(tmp_path, "### reconcile plan\n+ add"), 2))
    errors = "billing.yaml:3:5: BillingProfile/main: spec.app: no StripeApp named 'strip'\n"
    result = publish(github, *validate_args(report(tmp_path, errors), 1))
    assert result.output == "comment updated: comment/1000\n"
    [comment] = github.comments[12]
    assert comment["body"] == (
        "<!-- reconcile:plan manifests@production -->\n"
        "### reconcile validate\n\n"
        "```text\n"
        "billing.yaml:3:5: BillingProfile/main: spec.app: no StripeApp named 'strip'\n"
        "```\n\n"
        "**The manifests are invalid**, so nothing was planned: fix what validate reports and "
        f"push again. ([run]({RUN_URL}))\n"
    )


def test_valid_manifests_leave_the_comment_to_the_plan(
    github: FakeRepository, tmp_path: Path
) -> None:
    publish(github, *comment_args(report(tmp_path, "first plan"), 2))
    github.requests.clear()
    result = publish(github, *validate_args(report(tmp_path, "3 documents: valid"), 0))
    assert result.exit_code == 0, result.output
    assert github.requests == []
    assert "first plan" in github.comments[12][0]["body"]


def test_a_fence_in_validation_output_cannot_close_the_block(
    github: FakeRepository, tmp_path: Path
) -> None:
    publish(github, *validate_args(report(tmp_path, "a.yaml:1:1: x: bad ```` value"), 1))
    body = github.comments[12][0]["body"]
    assert "`````text\na.yaml:1:1: x: bad ```` value\n`````" in body


def drift(github: FakeRepository, tmp_path: Path, exit_code: int, text: str = "") -> Result:
    args = ["drift-issue", "--report", report(tmp_path, text), "--exit-code", str(exit_code)]
    return publish(github, *args, "--target", "production")


def test_drift_opens_one_labelled_issue(github: FakeRepository, tmp_path: Path) -> None:
    result = drift(github, tmp_path, 2, "### drift\n~ enterprise")
    assert result.output == "drift issue created: issue/1\n"
    (issue,) = github.issues
    assert issue["title"] == "Billing configuration drift on target production"
    # The repository had no such label: it is created first, so that the issue keeps it.
    assert github.requests[:3] == ["GET /issues", "GET /labels/drift", "POST /labels"]
    assert issue["labels"] == ["drift"]
    assert issue["body"].startswith("<!-- reconcile:drift production -->\n### drift\n~ enterprise")


def test_same_drift_refreshes_quietly_and_new_drift_is_announced(
    github: FakeRepository, tmp_path: Path
) -> None:
    drift(github, tmp_path, 2, "~ enterprise")
    github.requests.clear()
    assert drift(github, tmp_path, 2, "~ enterprise").output == "drift issue unchanged: issue/1\n"
    assert "POST /issues/1/comments" not in github.requests
    assert drift(github, tmp_path, 2, "~ self-serve").output == "drift issue updated: issue/1\n"
    assert github.requests.count("POST /issues/1/comments") == 1
    assert len(github.issues) == 1 and "~ self-serve" in github.issues[0]["body"]


def test_an_existing_label_is_used_as_it_is(github: FakeRepository, tmp_path: Path) -> None:
    github.labels["billing drift"] = {"name": "billing drift", "color": "000000"}
    publish(
        github,
        *["drift-issue", "--report", report(tmp_path, "~ x"), "--exit-code", "2"],
        *["--label", "billing drift"],
    )
    assert "POST /labels" not in github.requests
    assert github.labels["billing drift"]["color"] == "000000"
    assert github.issues[0]["labels"] == ["billing drift"]


def test_the_next_run_finds_the_issue_by_its_label(github: FakeRepository, tmp_path: Path) -> None:
    drift(github, tmp_path, 2, "~ enterprise")
    assert drift(github, tmp_path, 2, "~ self-serve").output == "drift issue updated: issue/1\n"
    assert len(github.issues) == 1 and github.requests.count("POST /labels") == 1


def test_no_drift_closes_the_issue_with_a_comment(github: FakeRepository, tmp_path: Path) -> None:
    drift(github, tmp_path, 2, "~ enterprise")
    assert drift(github, tmp_path, 0).output == "drift issue closed: issue/1\n"
    assert github.issues[0]["state"] == "closed"
    assert github.requests[-2:] == ["POST /issues/1/comments", "PATCH /issues/1"]
    assert drift(github, tmp_path, 0).output == "No drift and no open drift issue.\n"
    assert drift(github, tmp_path, 2, "~ again").output == "drift issue created: issue/2\n"


def test_a_failed_drift_check_leaves_the_issue_alone(
    github: FakeRepository, tmp_path: Path
) -> None:
    drift(github, tmp_path, 2, "~ enterprise")
    github.requests.clear()
    result = drift(github, tmp_path, 1, "Error: Konnect answered 401")
    assert result.exit_code == 0
    assert github.requests == [] and github.issues[0]["state"] == "open"


def test_issues_a_person_labelled_drift_are_not_ours(
    github: FakeRepository, tmp_path: Path
) -> None:
    github.issues.append(
        {"number": 1, "state": "open", "labels": ["drift"], "body": "seen drift?", "html_url": ""}
    )
    drift(github, tmp_path, 2, "~ enterprise")
    drift(github, tmp_path, 0)
    assert [(i["number"], i["state"]) for i in github.issues] == [(1, "open"), (2, "closed")]


def test_each_heading_shows_once(github: FakeRepository, tmp_path: Path) -> None:
    plan = Plan(
        actions=(Action(address=Address(type="tax_code", name="x"), type=ActionType.CREATE),)
    )
    markdown = render_markdown(plan, warnings=["WARNING: Stripe checks were skipped"])
    publish(github, *comment_args(report(tmp_path, markdown), 2))
    body = github.comments[12][0]["body"]
    assert body.count("### reconcile plan") == 1
    assert body.count("WARNING") == 1  # the alert's own title; its text does not repeat it
    errors = "a.yaml:1:1: TaxCode/x: spec.key: expected a string\n"
    publish(github, *comment_args(report(tmp_path, errors), 1), "--command", "validate")
    body = github.comments[12][0]["body"]
    assert body.count("### reconcile") == 1
