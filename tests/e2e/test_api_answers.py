"""A write is done only when the API says so, and a read only when it answers what it
documents: a redirect, or a success whose body is not what the route returns, is one clear
error line naming the request, exit 1, and never a traceback.

The sandbox's route answers stand in for a misconfigured proxy or gateway in front of the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, manifest, write_manifests

BILLING_PUT = "PUT /v3/openmeter/customers/{customer_id}/billing"
APPS_LIST = "GET /v3/openmeter/apps"
PROFILE = manifest(
    "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)
ACME = manifest(
    "CustomerBilling",
    "acme",
    {"customer": {"key": "acme", "name": "Acme"}, "stripe": {"customer_id": "cus_Acme0"}},
)


def reconcile(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [args[0], str(project), "--target", "local", *args[1:]])


def answer(admin: httpx.Client, route: str, **canned: Any) -> None:
    admin.patch("/faults", json={"route_answers": {route: canned}}).raise_for_status()


def apply_with_billing_answered(project: Path, admin: httpx.Client, **canned: Any) -> str:
    """The error of the link's write, as the text output and the JSON report both tell it."""
    write_manifests(project, STRIPE_APP, PROFILE, ACME)
    answer(admin, BILLING_PUT, **canned)
    text = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert text.exit_code == 1, text.output
    assert "Traceback" not in text.output
    [said] = [line for line in text.stdout.splitlines() if line.startswith("Error:")]
    assert said.startswith("Error: customer_billing.acme: Creation failed after ")
    # Again, now an update of the customer the first run created: still not done.
    run = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks", "--output", "json")
    assert run.exit_code == 1, run.output
    report = json.loads(run.stdout)
    assert report["succeeded"] is False
    [failed] = [o for o in report["outcomes"] if o["status"] == "failed"]
    assert failed["address"] == "customer_billing.acme"
    error: str = failed["error"]
    assert said.endswith(f": {error}")
    return error


def stripe_link(konnect: httpx.Client) -> Any:
    [customer] = konnect.get("/customers", params={"filter[key]": "acme"}).json()["data"]
    billing = konnect.get(f"/customers/{customer['id']}/billing").json()
    return (billing.get("app_data") or {}).get("stripe")


def test_a_redirected_write_is_an_error_naming_the_status_and_host_and_nothing_is_written(
    served_project: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    location = "https://other.example/v3/openmeter/customers/x/billing"
    error = apply_with_billing_answered(served_project, admin, status=307, location=location)
    line = (
        "PUT /openmeter/customers/{customerId}/billing: 307 redirect to other.example "
        "(redirects are not followed)"
    )
    assert error == line
    assert stripe_link(konnect_http) is None
    sent = admin.get("/requests").json()["data"]
    assert [e["fault"] for e in sent if e["method"] == "PUT" and "billing" in e["path"]] == [
        "canned 307",
        "canned 307",
    ]


def test_a_write_answered_with_an_empty_success_is_not_done(
    served_project: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    error = apply_with_billing_answered(served_project, admin, status=200, content_type=None)
    assert error == (
        "PUT /openmeter/customers/{customerId}/billing: 200 with an empty body; "
        "expected a JSON object"
    )
    assert stripe_link(konnect_http) is None


GARBAGE = {
    "truncated JSON": ({"body": '{"data": [{"id": "01J'}, "a body that is not valid JSON"),
    "an HTML page": (
        {"body": "<html>\n<h1>Sign in</h1>\n</html>", "content_type": "text/html"},
        "a body of type text/html",
    ),
    "an array": ({"body": "[]"}, "a JSON array"),
    "null": ({"body": "null"}, "JSON null"),
    "JSON as plain text": (
        {"body": '{"data": [], "meta": {"page": {"total": 0}}}', "content_type": "text/plain"},
        "a body of type text/plain",
    ),
}
PAGE = "a page object with `data` (objects with an `id`) and `meta.page.total`"


def assert_one_error_line(run: Result, line: str) -> None:
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output
    assert "TypeError" not in run.output and "AttributeError" not in run.output
    assert run.stderr == f"Error: {line}\n"


@pytest.mark.parametrize("garbage", GARBAGE, ids=list(GARBAGE))
def test_plan_on_a_garbage_read_says_which_request_and_what_came(
    served_project: Path, admin: httpx.Client, garbage: str
) -> None:
    canned, came = GARBAGE[garbage]
    write_manifests(served_project, STRIPE_APP, PROFILE)
    answer(admin, APPS_LIST, status=200, **canned)
    run = reconcile(served_project, "plan")
    assert_one_error_line(run, f"GET /openmeter/apps: 200 with {came}; expected {PAGE}")


@pytest.mark.parametrize("command", ["plan", "drift", "export", "apply"])
def test_a_redirected_read_is_one_error_line_in_every_command(
    served_project: Path, admin: httpx.Client, tmp_path: Path, command: str
) -> None:
    write_manifests(served_project, STRIPE_APP, PROFILE)
    answer(admin, APPS_LIST, status=302, location="https://login.example/sso?next=/v3")
    extra = {"export": [str(tmp_path / "exported")], "apply": ["--auto-approve"]}
    run = reconcile(served_project, command, *extra.get(command, []))
    line = "GET /openmeter/apps: 302 redirect to login.example (redirects are not followed)"
    assert_one_error_line(run, line)


@pytest.mark.parametrize(
    ("canned", "came"),
    [
        (GARBAGE["an HTML page"][0], "200 with a body of type text/html; expected a JSON object"),
        ({"body": "[]"}, "200 with a JSON array; expected a JSON object"),
        (
            {"status": 307, "location": "https://other.example/v1/account"},
            "307 redirect to other.example (redirects are not followed)",
        ),
    ],
)
def test_a_stripe_account_answered_with_garbage_blocks_apply_with_one_line(
    served_project: Path, admin: httpx.Client, canned: dict[str, Any], came: str
) -> None:
    write_manifests(served_project, STRIPE_APP, PROFILE)
    answer(admin, "GET /v1/account", **{"status": 200, **canned})
    run = reconcile(served_project, "plan")
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output
    assert (
        "Error: stripe_app.stripe: the Stripe key does not read its account "
        f"(GET /v1/account: {came})\n"
    ) in run.stdout


def test_a_precondition_read_without_an_id_fails_the_action_with_one_line(
    served_project: Path, admin: httpx.Client
) -> None:
    write_manifests(served_project, STRIPE_APP, PROFILE)
    first = reconcile(served_project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert first.exit_code == 0, first.output
    renamed = manifest(
        "BillingProfile",
        "main",
        {"default": True, "app": "stripe", "supplier": {**SUPPLIER, "name": "ACME Corp."}},
    )
    write_manifests(served_project, STRIPE_APP, renamed)
    answer(admin, "GET /v3/openmeter/profiles/{profile_id}", status=200, body='{"name": "main"}')
    run = reconcile(served_project, "apply", "--auto-approve", "--output", "json")
    assert run.exit_code == 1, run.output
    [outcome] = json.loads(run.stdout)["outcomes"]
    assert (outcome["status"], outcome["error"]) == (
        "failed",
        "GET /openmeter/profiles/{profileId}: 200 with a JSON object of another shape; "
        "expected a JSON object with an `id`",
    )
