"""One pull-request comment per plan and one issue per drift, found again by a hidden marker.

Both are kept single: a later run edits what an earlier run posted instead of adding to it, so a
pull request shows the current plan once and the drift issue tells the current drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from reconciler.ci.reports import truncated

# GitHub refuses comment and issue bodies over 65,536 characters; keep room for the footer.
MAX_REPORT_CHARS = 60_000
LABEL_COLOR = "d93f0b"
LABEL_DESCRIPTION = "Live billing configuration differs from the manifests (reconcile drift)"


class GitHubError(Exception):
    """GitHub refused a request; the message names the route and GitHub's reason, no token."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Published:
    """What a publish call did, for the job log: `created`, `updated`, `closed` or `unchanged`."""

    outcome: str
    url: str


class GitHubClient:
    """The few REST routes of one repository that publishing needs."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._repo = f"/repos/{repository}"
        self._http = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "reconcile",
            },
            timeout=30.0,
            transport=transport,
        )

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def pages(self, route: str, **params: str) -> Iterator[dict[str, Any]]:
        """Every item of a listing, following the `Link: rel="next"` header."""
        response = self._call("GET", route, params={"per_page": "100", **params})
        yield from response.json()
        while "next" in response.links:
            response = self._checked(self._http.get(response.links["next"]["url"]), route)
            yield from response.json()

    def send(self, method: str, route: str, body: dict[str, Any] | None) -> dict[str, Any]:
        result: dict[str, Any] = self._call(method, route, json=body).json()
        return result

    def _call(self, method: str, route: str, **kwargs: Any) -> httpx.Response:
        return self._checked(self._http.request(method, self._repo + route, **kwargs), route)

    @staticmethod
    def _checked(response: httpx.Response, route: str) -> httpx.Response:
        if response.is_success:
            return response
        try:
            reason = response.json().get("message", "")
        except ValueError:
            reason = response.reason_phrase
        raise GitHubError(
            f"GitHub answered {response.status_code} to {response.request.method} {route}: "
            f"{reason}",
            response.status_code,
        )


def marker(kind: str, key: str) -> str:
    """The hidden first line by which a later run finds what an earlier one posted."""
    return f"<!-- reconcile:{kind} {key} -->"


def compose(marker_line: str, report: str, footer: str) -> str:
    report = truncated(report, MAX_REPORT_CHARS)
    return f"{marker_line}\n{report.rstrip()}\n\n{footer}\n"


def without_footer(body: str) -> str:
    """A composed body less its footer, the paragraph after the last blank line."""
    return body.rstrip("\n").rsplit("\n\n", 1)[0]


def upsert_pr_comment(client: GitHubClient, pull_request: int, body: str) -> Published:
    """Edit the comment that starts with the body's marker line, or post it."""
    marker_line = body.split("\n", 1)[0]
    route = f"/issues/{pull_request}/comments"
    existing = next((c for c in client.pages(route) if c["body"].startswith(marker_line)), None)
    if existing is None:
        created = client.send("POST", route, {"body": body})
        return Published("created", created["html_url"])
    if existing["body"] == body:
        return Published("unchanged", existing["html_url"])
    updated = client.send("PATCH", f"/issues/comments/{existing['id']}", {"body": body})
    return Published("updated", updated["html_url"])


@dataclass(frozen=True)
class DriftIssue:
    """The one open issue that tells the current drift of a target."""

    label: str
    title: str
    body: str
    run_url: str

    @property
    def marker_line(self) -> str:
        return self.body.split("\n", 1)[0]


def find_open_drift_issue(client: GitHubClient, issue: DriftIssue) -> dict[str, Any] | None:
    listed = client.pages("/issues", state="open", labels=issue.label)
    # The issues listing also holds pull requests; a drift issue is never one.
    return next(
        (
            found
            for found in listed
            if "pull_request" not in found and (found["body"] or "").startswith(issue.marker_line)
        ),
        None,
    )


def ensure_label(client: GitHubClient, name: str) -> None:
    """Create the label unless the repository has it. An issue opened with a label that does
    not exist may not keep it, and the next run, which looks the issue up by its label, would
    then open another one."""
    try:
        client.send("GET", f"/labels/{quote(name, safe='')}", None)
        return
    except GitHubError as error:
        if error.status != 404:
            raise
    fields = {"name": name, "color": LABEL_COLOR, "description": LABEL_DESCRIPTION}
    try:
        client.send("POST", "/labels", fields)
    except GitHubError as error:
        if error.status != 422:  # created meanwhile, by a concurrent run
            raise


def report_drift(client: GitHubClient, issue: DriftIssue) -> Published:
    """Open the drift issue, or refresh its description (and say so) when the drift changed."""
    existing = find_open_drift_issue(client, issue)
    if existing is None:
        ensure_label(client, issue.label)
        fields = {"title": issue.title, "body": issue.body, "labels": [issue.label]}
        created = client.send("POST", "/issues", fields)
        return Published("created", created["html_url"])
    number = existing["number"]
    # The footer names the latest run, so the description is refreshed on every run; only a
    # change of the drift itself is worth a notification, which an edit never sends.
    client.send("PATCH", f"/issues/{number}", {"body": issue.body})
    if without_footer(existing["body"] or "") == without_footer(issue.body):
        return Published("unchanged", existing["html_url"])
    note = f"The drift changed; the description shows it as of [this run]({issue.run_url})."
    client.send("POST", f"/issues/{number}/comments", {"body": note})
    return Published("updated", existing["html_url"])


def close_drift_issue(client: GitHubClient, issue: DriftIssue) -> Published | None:
    """Close the open drift issue, with a comment naming the run that found no drift."""
    existing = find_open_drift_issue(client, issue)
    if existing is None:
        return None
    number = existing["number"]
    note = f"No drift any more: [this run]({issue.run_url}) found none. Closing."
    client.send("POST", f"/issues/{number}/comments", {"body": note})
    client.send("PATCH", f"/issues/{number}", {"state": "closed", "state_reason": "completed"})
    return Published("closed", existing["html_url"])
