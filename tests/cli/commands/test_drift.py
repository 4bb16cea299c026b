"""`reconcile drift`: a world seeded from the manifests, then edited out of band, read-only.

Each test seeds the sandbox exactly as apply would write the manifests (no drift), changes one
thing the way a person would in the Konnect UI or the Stripe Dashboard, and expects the exact
report and exit code 2.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from reconciler.targets import SANDBOX_DB, SANDBOX_STRIPE_KEY
from tests.e2e.seeding import seed
from tests.e2e.worlds import (
    OWNED,
    SELF_SERVE,
    STRIPE_APP,
    SUPPLIER,
    World,
    declare_sandbox,
    manifest,
    write_manifests,
)

SANDBOX_ACCOUNT = "acct_1SandboxTest0000"
FIX_RESTORE = (
    "  Fix: run `reconcile apply` to restore the manifest's values, or change the manifest "
    "(or add an ignore rule to reconcile.yaml) to accept the live ones"
)
FIX_CREATE = "  Fix: run `reconcile apply` to create it again, or remove it from the manifests"
# The worlds exist before drift runs: the sandbox's stand-in key is no news to it.
HEADER = ["Target: sandbox (embedded sandbox, Stripe test mode)", ""]
INTRO = ["reconcile found drift between the manifests and the live state:", ""]
INVOICED = manifest(
    "BillingProfile",
    "invoiced",
    {
        "description": "Invoices due in 30 days",
        "app": "stripe",
        "supplier": SUPPLIER,
        "workflow": {"payment": {"collection_method": "send_invoice"}},
    },
)


def link(name: str, stripe: dict[str, str], **spec: Any) -> dict[str, Any]:
    customer = {"key": name, "name": name.title()}
    return manifest("CustomerBilling", name, {"customer": customer, "stripe": stripe, **spec})


class Scenario:
    """Manifests and a sandbox world equal to them: the app, two profiles, two customers.

    `acme` pays by card on the default profile; `globex` is sent invoices.
    """

    def __init__(self, world: World, project: Path) -> None:
        self.world = world
        self.project = project
        self.acme = world.stripe_customer()
        self.card = world.card(self.acme, invoice_default=False)
        self.globex = world.stripe_customer(email="ap@globex.example")
        self.documents = [
            STRIPE_APP,
            SELF_SERVE,
            INVOICED,
            link("acme", {"customer_id": self.acme, "default_payment_method_id": self.card}),
            link("globex", {"customer_id": self.globex}, billing_profile="invoiced"),
        ]
        seed(world, self.documents)
        self.write()

    def write(self, project_file: dict[str, Any] | None = None) -> None:
        write_manifests(self.project, *self.documents)
        if project_file is not None:
            declared = {"default_target": "sandbox", **project_file}
            (self.project / "reconcile.yaml").write_text(yaml.safe_dump(declared))

    def konnect_one(self, route: str, **where: str) -> dict[str, Any]:
        items = self.world.konnect("GET", route)["data"]
        [found] = [item for item in items if all(item.get(k) == v for k, v in where.items())]
        return dict(found)

    def edit_profile(self, name: str, **changes: Any) -> dict[str, Any]:
        """A person editing the profile in the Konnect UI."""
        profile = self.konnect_one("/profiles", name=name)
        body = {
            "name": profile["name"],
            "labels": OWNED,
            "supplier": {k: v for k, v in profile["supplier"].items() if k != "id"},
            "workflow": profile["workflow"],
            "default": profile["default"],
            **changes,
        }
        if "description" in profile and "description" not in changes:
            body["description"] = profile["description"]
        updated: dict[str, Any] = self.world.konnect("PUT", f"/profiles/{profile['id']}", body)
        return updated


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scenario]:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    project = declare_sandbox(tmp_path / "manifests")
    (project / SANDBOX_DB).parent.mkdir(parents=True)
    app = create_app(SandboxConfig(db_path=project / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield Scenario(World(client), project)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SandboxServer]]:
    """The sandbox servers commands start, kept so a test can read their request counts."""
    servers: list[SandboxServer] = []

    class Recorded(SandboxServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            servers.append(self)

    monkeypatch.setattr("reconciler.sandbox.server.SandboxServer", Recorded)
    yield servers


def drift(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["drift", str(project), "--no-color", *args])


def report_lines(result: Result) -> list[str]:
    """The report below the target header, one string per line."""
    lines = result.stdout.splitlines()
    assert lines[: len(HEADER)] == HEADER, result.output
    return lines[len(HEADER) :]


def test_a_world_equal_to_the_manifests_has_no_drift(scenario: Scenario) -> None:
    result = drift(scenario.project)
    assert result.exit_code == 0, result.output
    assert report_lines(result) == ["No drift. Live state matches the manifests."]


def test_a_changed_profile_field_shows_manifest_and_live_values(scenario: Scenario) -> None:
    edited = scenario.edit_profile(
        "invoiced",
        description="Edited in the UI",
        supplier={**SUPPLIER, "name": "ACME Europe"},
    )
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == [
        *INTRO,
        f"  # billing_profile.invoiced: changed out of band (changed at {edited['updated_at']})",
        '  ~ billing_profile "invoiced" {',
        '      ~ description = "Edited in the UI" -> "Invoices due in 30 days"',
        '      ~ supplier.name = "ACME Europe" -> "ACME Inc."',
        "    }",
        FIX_RESTORE,
        "",
        "Drift: 1 changed, 0 deleted, 0 unmanaged match, 0 Stripe.",
    ]


def test_a_deleted_managed_customer_is_missing(scenario: Scenario) -> None:
    customer = scenario.konnect_one("/customers", key="acme")
    scenario.world.konnect("DELETE", f"/customers/{customer['id']}")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == [
        *INTRO,
        "  # customer_billing.acme: missing: deleted out of band or never applied",
        '  - customer_billing "acme"',
        FIX_CREATE,
        "",
        "Drift: 0 changed, 1 deleted, 0 unmanaged match, 0 Stripe.",
    ]


def test_an_unmanaged_profile_with_a_declared_name_is_reported_not_adopted(
    scenario: Scenario,
) -> None:
    app = scenario.konnect_one("/apps", name="Stripe")
    legacy = scenario.world.profile(app, "legacy", labels={"team": "finance"})
    scenario.documents.append(
        manifest("BillingProfile", "legacy", {"app": "stripe", "supplier": SUPPLIER})
    )
    scenario.write()
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == [
        *INTRO,
        "  # billing_profile.legacy: not managed by reconcile: a live object without the "
        "managed-by: reconcile label has the declared name or key; apply changes it only once "
        f"it is adopted (changed at {legacy['updated_at']})",
        "  # (a live billing_profile with key 'legacy' exists that reconcile did not create (no "
        "label managed-by: reconcile); to manage it, run `reconcile adopt DIR "
        'billing_profile.legacy` or annotate the manifest with reconcile.konghq.dev/adopt: "true"; '
        "otherwise rename the manifest's object)",
        '  ? billing_profile "legacy" {',
        '      - labels.team = "finance"',
        "    }",
        "  Fix: rename one of the two (in Konnect or in the manifest), or adopt the live object "
        "(`reconcile adopt`, or the reconcile.konghq.dev/adopt annotation) and run `reconcile "
        "apply`",
        "",
        "Drift: 0 changed, 0 deleted, 1 unmanaged match, 0 Stripe.",
    ]


def stripe_report(address: str, message: str, fix: str) -> list[str]:
    kind, name = address.split(".")
    return [
        *INTRO,
        f"  # {address}: Stripe: {message}",
        f'  ! {kind} "{name}"',
        f"  Fix: {fix}",
        "",
        "Drift: 0 changed, 0 deleted, 0 unmanaged match, 1 Stripe.",
    ]


def test_a_deleted_stripe_customer(scenario: Scenario) -> None:
    scenario.world.admin("DELETE", f"/stripe/customers/{scenario.globex}")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == stripe_report(
        "customer_billing.globex",
        f"Stripe customer {scenario.globex} was deleted",
        "link a live Stripe customer, or use `onboarding: checkout` to create one",
    )


def test_a_detached_payment_method(scenario: Scenario) -> None:
    scenario.world.admin("POST", f"/stripe/payment-methods/{scenario.card}/detach")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == stripe_report(
        "customer_billing.acme",
        f"payment method {scenario.card} is not attached to Stripe customer {scenario.acme}",
        "attach it to that customer in Stripe, or name one that is",
    )


def test_a_card_that_expired(scenario: Scenario) -> None:
    # Time passing, as far as Stripe's card object shows it.
    expired = {"card": {"exp_month": 6, "exp_year": 2021}}
    scenario.world.admin("PATCH", f"/collections/stripe.payment_methods/{scenario.card}", expired)
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == stripe_report(
        "customer_billing.acme",
        f"payment method {scenario.card} is a card that expired at the end of 06/2021",
        "attach a current card to the customer in Stripe and name it in "
        "stripe.default_payment_method_id (the customer can add one: `reconcile portal-url`)",
    )


def test_email_removed_from_a_customer_sent_invoices(scenario: Scenario) -> None:
    scenario.world.stripe("POST", f"/customers/{scenario.globex}", {"email": ""})
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == stripe_report(
        "customer_billing.globex",
        f"Stripe customer {scenario.globex} has no email, and its profile sends invoices",
        "set the customer's email in Stripe",
    )


def test_stripe_tax_turned_off(scenario: Scenario) -> None:
    scenario.world.admin("POST", f"/stripe/accounts/{SANDBOX_ACCOUNT}/tax/deactivate")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    message = "tax is enabled, but Stripe Tax is not active on the account (status pending)"
    fix = (
        "activate Stripe Tax (head office address and registrations) in the Stripe Dashboard, "
        "or set workflow.tax.enabled: false"
    )
    assert report_lines(result) == [
        *INTRO,
        f"  # billing_profile.self-serve: Stripe: {message}",
        '  ! billing_profile "self-serve"',
        f"  Fix: {fix}",
        "",
        f"  # billing_profile.invoiced: Stripe: {message}",
        '  ! billing_profile "invoiced"',
        f"  Fix: {fix}",
        "",
        "Drift: 0 changed, 0 deleted, 0 unmanaged match, 2 Stripe.",
    ]


def test_a_disabled_webhook_endpoint(scenario: Scenario) -> None:
    [endpoint] = scenario.world.stripe("GET", "/webhook_endpoints")["data"]
    scenario.world.admin("POST", f"/stripe/webhook-endpoints/{endpoint['id']}/disable")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == stripe_report(
        "stripe_app.stripe",
        "the app's Stripe webhook endpoint is disabled",
        "re-enable the endpoint in the Stripe Dashboard (Developers > Webhooks)",
    )


def test_a_deleted_webhook_endpoint_needs_the_app_reinstalled(scenario: Scenario) -> None:
    [endpoint] = scenario.world.stripe("GET", "/webhook_endpoints")["data"]
    scenario.world.stripe("DELETE", f"/webhook_endpoints/{endpoint['id']}")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    # Only an install creates the endpoint (with the signing secret Konnect keeps).
    assert report_lines(result) == stripe_report(
        "stripe_app.stripe",
        "the Stripe webhook endpoint Konnect relies on for checkout completion and invoice "
        "events is missing",
        "reinstall the app in Konnect, which creates the endpoint anew (one added in the "
        "Stripe Dashboard cannot work: only Konnect knows its secret); the new app has a new "
        "id, and a billing profile's app cannot change, so `reconcile plan` then shows its "
        "profiles replaced (or blocked while customer links bill through them)",
    )


def test_a_revoked_key_is_reported_on_the_app_as_konnect_and_stripe_see_it(
    scenario: Scenario,
) -> None:
    scenario.world.admin("POST", "/stripe/keys/revoke", {"key": SANDBOX_STRIPE_KEY})
    result = drift(scenario.project, "--output", "json")
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout) == {
        "target": "sandbox",
        "format_version": 2,
        "drifted": True,
        "summary": {"changed": 0, "deleted": 0, "unmanaged_match": 0, "stripe": 2},
        "ignored_fields": 0,
        "stripe_checks": True,
        "items": [
            stripe_item(
                "stripe_app",
                "stripe",
                "the Stripe key does not read its account (Stripe API: 401 invalid_request_error: "
                "Invalid API Key provided.)",
                "set STRIPE_API_KEY to a valid secret or restricted key with read access to the "
                "account",
            ),
            stripe_item(
                "stripe_app",
                "stripe",
                "Konnect reports the app as unauthorized: Stripe refuses the key it holds "
                "(revoked or expired)",
                "create a new key in the Stripe Dashboard, set it in the environment variable "
                "and apply",
            ),
        ],
        "not_managed": ["tax_code.stripe_txcd_10000000"],
        "notes": HEADER[:1],
    }
    assert SANDBOX_STRIPE_KEY not in result.output


def stripe_item(address_type: str, name: str, message: str, fix: str) -> dict[str, Any]:
    return {
        "address": f"{address_type}.{name}",
        "class": "stripe",
        "message": message,
        "fix": fix,
        "changed_at": None,
        "fields": [],
        "notes": [],
    }


def test_an_uninstalled_app_is_missing_and_its_profiles_say_what_apply_does(
    scenario: Scenario,
) -> None:
    app = scenario.konnect_one("/apps", name="Stripe")
    scenario.world.konnect("DELETE", f"/apps/{app['id']}")
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output

    def profile(name: str) -> list[str]:
        # The profile itself did not change: its `updated_at` would tell nothing.
        return [
            f"  # billing_profile.{name}: changed out of band",
            f"  # (its app {app['id']} is not a live Stripe app: uninstalled out of band, or of "
            "another type; apply installs stripe anew, but the app of a billing profile cannot "
            "change, and 1 customer link(s) bill through this one; declare a new profile under "
            "another name with the new app, move the links to it, then remove this one "
            "(--prune))",
            f'  ~ billing_profile "{name}" {{',
            f'      ~ app = "(not found: {app["id"]})" -> "stripe"',
            "    }",
            "  Fix: apply cannot restore it as it stands: the note says why and what to do instead",
            "",
        ]

    assert report_lines(result) == [
        *INTRO,
        "  # stripe_app.stripe: missing: deleted out of band or never applied",
        '  - stripe_app "stripe"',
        "  Fix: run `reconcile apply` to install it again (Konnect creates its Stripe webhook "
        "endpoint anew), or remove it from the manifests; a billing profile's app cannot "
        "change, so the profiles of the uninstalled app are replaced or blocked: their items "
        "say which",
        "",
        *profile("self-serve"),
        *profile("invoiced"),
        "Drift: 2 changed, 1 deleted, 0 unmanaged match, 0 Stripe.",
    ]


def test_a_customer_another_system_made_is_adopted_by_the_next_apply(scenario: Scenario) -> None:
    # A CRM created the customer before the link was merged: customer links adopt it.
    initech = scenario.world.customer("initech", labels={"source": "crm"}, name="Initech")
    stripe_customer = scenario.world.stripe_customer()
    scenario.world.card(stripe_customer)
    scenario.world.link(initech, stripe_customer)
    scenario.documents.append(link("initech", {"customer_id": stripe_customer}))
    scenario.write()
    updated = scenario.konnect_one("/customers", key="initech")["updated_at"]
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    # Not `customer.labels.managed-by`: the missing ownership label is what adoption adds.
    assert report_lines(result) == [
        *INTRO,
        "  # customer_billing.initech: not managed by reconcile: a live object without the "
        "managed-by: reconcile label has the declared name or key; the next apply adopts it "
        f"(adds the label) and sets the manifest's values (changed at {updated})",
        "  # (adopts existing customer: adds the label managed-by: reconcile)",
        '  ? customer_billing "initech" {',
        '      - customer.labels.source = "crm"',
        "    }",
        "  Fix: run `reconcile apply` to adopt it, or change the manifest (its key, or the values "
        "shown) if it should not take this object over",
        "",
        "Drift: 0 changed, 0 deleted, 1 unmanaged match, 0 Stripe.",
    ]


def pin(scenario: Scenario, key: str, profile: str, stripe: dict[str, str]) -> None:
    """A person pinning the customer in the Konnect UI, its Stripe link kept as it was."""
    customer = scenario.konnect_one("/customers", key=key)
    profile_id = scenario.konnect_one("/profiles", name=profile)["id"]
    body = {"billing_profile": {"id": profile_id}, "app_data": {"stripe": stripe}}
    scenario.world.konnect("PUT", f"/customers/{customer['id']}/billing", body)


def acme_stripe(scenario: Scenario) -> dict[str, str]:
    return {"customer_id": scenario.acme, "default_payment_method_id": scenario.card}


def test_a_customer_pinned_to_another_profile_by_hand_is_drift(scenario: Scenario) -> None:
    pin(scenario, "acme", "invoiced", acme_stripe(scenario))
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert report_lines(result) == [
        *INTRO,
        "  # customer_billing.acme: pinned to invoiced out of band: it is billed through that "
        "profile, not the default; the v3 API cannot unpin a customer",
        '  ~ customer_billing "acme" {',
        '      ~ billing_profile = "invoiced (pinned)" -> "self-serve (as the default, not '
        'pinned)"',
        "    }",
        "  Fix: set spec.billing_profile to invoiced to keep it there, or to self-serve to pin "
        "it to the default",
        "",
        "Drift: 1 changed, 0 deleted, 0 unmanaged match, 0 Stripe.",
    ]


def test_a_hand_made_pin_to_the_default_is_drift_too(scenario: Scenario) -> None:
    pin(scenario, "acme", "self-serve", acme_stripe(scenario))
    result = drift(scenario.project, "--output", "json")
    assert result.exit_code == 2, result.output
    [item] = json.loads(result.stdout)["items"]
    # The billing link has no timestamp of its own; the customer's would mislead.
    assert item == {
        "address": "customer_billing.acme",
        "class": "changed",
        "message": "pinned to the default profile out of band: it would stay there after a "
        "change of default; the v3 API cannot unpin a customer",
        "fix": "set spec.billing_profile to self-serve to make the pin explicit",
        "changed_at": None,
        "fields": [
            {
                "path": "billing_profile",
                "manifest": "self-serve (as the default, not pinned)",
                "live": "self-serve (pinned)",
                "sensitive": False,
            }
        ],
        "notes": [],
    }


def test_an_accepted_pin_is_ignored_by_rule(scenario: Scenario) -> None:
    pin(scenario, "acme", "invoiced", acme_stripe(scenario))
    scenario.write({"drift": {"ignore": {"customer_billing.acme": ["billing_profile"]}}})
    result = drift(scenario.project)
    assert result.exit_code == 0, result.output
    assert report_lines(result) == [
        "No drift. Live state matches the manifests. 1 ignored field(s)."
    ]


def test_changed_at_is_the_changed_objects_and_absent_for_the_billing_link(
    scenario: Scenario,
) -> None:
    acme = scenario.konnect_one("/customers", key="acme")
    other_card = scenario.world.card(scenario.acme, invoice_default=False)
    stripe = {"customer_id": scenario.acme, "default_payment_method_id": other_card}
    scenario.world.konnect(
        "PUT", f"/customers/{acme['id']}/billing", {"app_data": {"stripe": stripe}}
    )
    globex = scenario.konnect_one("/customers", key="globex")
    renamed = scenario.world.konnect(
        "PUT", f"/customers/{globex['id']}", {"name": "Globex Corp", "labels": globex["labels"]}
    )
    result = drift(scenario.project, "--output", "json")
    assert result.exit_code == 2, result.output
    items = json.loads(result.stdout)["items"]
    assert [(i["address"].partition(".")[2], i["changed_at"], i["fields"]) for i in items] == [
        (
            "acme",
            None,
            [
                {
                    "path": "stripe.default_payment_method_id",
                    "manifest": scenario.card,
                    "live": other_card,
                    "sensitive": False,
                }
            ],
        ),
        (
            "globex",
            renamed["updated_at"],
            [
                {
                    "path": "customer.name",
                    "manifest": "Globex",
                    "live": "Globex Corp",
                    "sensitive": False,
                }
            ],
        ),
    ]


def test_ignore_rules_suppress_a_changed_field_and_are_counted(scenario: Scenario) -> None:
    scenario.edit_profile(
        "invoiced", description="Edited in the UI", supplier={**SUPPLIER, "name": "ACME Europe"}
    )
    scenario.write({"drift": {"ignore": {"billing_profile.*": ["description", "supplier"]}}})
    result = drift(scenario.project)
    assert result.exit_code == 0, result.output
    assert report_lines(result) == [
        "No drift. Live state matches the manifests. 2 ignored field(s).",
    ]


def test_ignore_rules_match_the_address_glob_only(scenario: Scenario) -> None:
    scenario.edit_profile("invoiced", description="Edited in the UI")
    scenario.write({"drift": {"ignore": {"billing_profile.self-*": ["description"]}}})
    result = drift(scenario.project, "--output", "json")
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert data["ignored_fields"] == 0
    assert [f["path"] for f in data["items"][0]["fields"]] == ["description"]


def test_an_unknown_address_type_in_an_ignore_rule_is_a_located_error(tmp_path: Path) -> None:
    project = write_manifests(tmp_path, STRIPE_APP)
    (project / "reconcile.yaml").write_text(
        "drift:\n  ignore:\n    billing_profle.*: [description]\n"
    )
    result = drift(project)
    assert result.exit_code == 1
    assert (
        "reconcile.yaml:3:5: Project/reconcile.yaml: drift.ignore.billing_profle.*: unknown "
        "address type 'billing_profle' (did you mean 'billing_profile'?)"
    ) in result.output


def test_json_shape_is_versioned_and_documented(scenario: Scenario) -> None:
    edited = scenario.edit_profile("invoiced", description="Edited in the UI")
    customer = scenario.konnect_one("/customers", key="acme")
    scenario.world.konnect("DELETE", f"/customers/{customer['id']}")
    scenario.world.admin("DELETE", f"/stripe/customers/{scenario.globex}")
    scenario.write({"drift": {"ignore": {"customer_billing.*": ["customer.primary_email"]}}})
    result = drift(scenario.project, "--output", "json")
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert (
        data
        == {
            "target": "sandbox",
            "format_version": 2,
            "drifted": True,
            "summary": {"changed": 1, "deleted": 1, "unmanaged_match": 0, "stripe": 1},
            "ignored_fields": 0,
            "stripe_checks": True,
            "items": [
                {
                    "address": "billing_profile.invoiced",
                    "class": "changed",
                    "message": "changed out of band",
                    "fix": FIX_RESTORE.removeprefix("  Fix: "),
                    "changed_at": edited["updated_at"],
                    "fields": [
                        {
                            "path": "description",
                            "manifest": "Invoices due in 30 days",
                            "live": "Edited in the UI",
                            "sensitive": False,
                        }
                    ],
                    "notes": [],
                },
                {
                    "address": "customer_billing.acme",
                    "class": "deleted",
                    "message": "missing: deleted out of band or never applied",
                    "fix": FIX_CREATE.removeprefix("  Fix: "),
                    "changed_at": None,
                    "fields": [],
                    "notes": [],
                },
                {
                    "address": "customer_billing.globex",
                    "class": "stripe",
                    "message": f"Stripe customer {scenario.globex} was deleted",
                    "fix": "link a live Stripe customer, or use `onboarding: checkout` to "
                    "create one",
                    "changed_at": None,
                    "fields": [],
                    "notes": [],
                },
            ],
            "not_managed": ["tax_code.stripe_txcd_10000000"],  # Konnect's own, system-managed
            "notes": HEADER[:1],
        }
    )


def test_markdown_is_an_issue_body_that_is_stable_while_the_drift_is(scenario: Scenario) -> None:
    edited = scenario.edit_profile("invoiced", supplier={**SUPPLIER, "name": "A | B `Ltd`"})
    first = drift(scenario.project, "--output", "markdown")
    second = drift(scenario.project, "--output", "markdown")
    assert first.exit_code == second.exit_code == 2
    assert first.stdout == second.stdout
    assert first.stdout == "\n".join(
        [
            "## reconcile drift: sandbox",
            "",
            "**Drift: 1 changed, 0 deleted, 0 unmanaged match, 0 Stripe.**",
            "",
            "### `billing_profile.invoiced`",
            "",
            f"- **changed**: changed out of band (changed at {edited['updated_at']})",
            "  - " + FIX_RESTORE.strip(),
            "",
            "| Field | Manifest | Live |",
            "|---|---|---|",
            "| <code>supplier.name</code> | <code>&quot;ACME Inc.&quot;</code> | "
            "<code>&quot;A &#124; B `Ltd`&quot;</code> |",
            "",
        ]
    )


def test_no_drift_in_markdown_is_one_heading_and_the_summary(scenario: Scenario) -> None:
    result = drift(scenario.project, "--output", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "## reconcile drift: sandbox\n\n**No drift. Live state matches the manifests.**\n"
    )


def test_markdown_warns_when_stripe_was_not_looked_at(scenario: Scenario) -> None:
    result = drift(scenario.project, "--output", "markdown", "--skip-stripe-checks")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "## reconcile drift: sandbox\n\n**No drift. Live state matches the manifests.**\n\n"
        "> [!WARNING]\n> Stripe checks were skipped; Stripe drift is not shown.\n"
    )


def test_drift_writes_nothing(scenario: Scenario, served: list[SandboxServer]) -> None:
    scenario.edit_profile("invoiced", description="Edited in the UI")
    customer = scenario.konnect_one("/customers", key="acme")
    scenario.world.konnect("DELETE", f"/customers/{customer['id']}")
    scenario.world.admin("POST", f"/stripe/payment-methods/{scenario.card}/detach")
    before = database_dump(scenario.project)
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    [server] = served
    requests = server.app.state.sandbox.traffic.stats()["requests"]
    assert requests and all(route.startswith("GET ") for route in requests), requests
    assert database_dump(scenario.project) == before


def test_skipped_stripe_checks_say_so_and_report_no_stripe_drift(scenario: Scenario) -> None:
    scenario.world.admin("DELETE", f"/stripe/customers/{scenario.globex}")
    result = drift(scenario.project, "--skip-stripe-checks")
    assert result.exit_code == 0, result.output
    assert "WARNING: Stripe checks were skipped" in result.stdout
    assert result.stdout.rstrip().endswith("No drift. Live state matches the manifests.")


def database_dump(project: Path) -> list[str]:
    with sqlite3.connect(project / SANDBOX_DB) as connection:
        return list(connection.iterdump())


def test_a_sensitive_field_shows_that_it_differs_but_no_value(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    rotated = "sk_test_" + "rotatedelsewhere" + "Qz" * 6
    monkeypatch.setenv("STRIPE_API_KEY", rotated)
    result = drift(scenario.project)
    assert result.exit_code == 2, result.output
    assert "      ~ api_key = (sensitive value differs)" in result.stdout.splitlines()
    data = json.loads(drift(scenario.project, "--skip-stripe-checks", "--output", "json").stdout)
    assert data["items"][0]["fields"] == [
        {"path": "api_key", "live": None, "manifest": None, "sensitive": True}
    ]
    for output in (result.stdout, json.dumps(data)):
        # Neither key, nor the masked fingerprints plan compares (`sk_test_...QzQz`).
        assert "sk_test_" not in output and "QzQz" not in output
