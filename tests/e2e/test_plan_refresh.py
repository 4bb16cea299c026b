"""`plan --refresh=false`: links applied as declared are not read one by one, with its price."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

BILLING_GET = "GET /v3/openmeter/customers/{customer_id}/billing"
LINKS = 5
# A customer awaiting its checkout, and what Konnect links when the customer completes it.
NEWBIE = manifest(
    "CustomerBilling",
    "newbie",
    {"customer": {"key": "newbie", "name": "Newbie"}, "onboarding": "checkout"},
)
ONBOARDED = {"customer_id": "cus_Onboarded0", "default_payment_method_id": "pm_Saved0"}


@pytest.fixture
def project(served_project: Path) -> Path:
    return served_project


def links(stripe_customer: str = "cus_Applied0") -> list[dict[str, Any]]:
    return [
        manifest(
            "CustomerBilling",
            f"c{n}",
            {
                "customer": {"key": f"c{n}", "name": f"C{n}"},
                "stripe": {"customer_id": stripe_customer},
            },
        )
        for n in range(LINKS)
    ]


def reconcile(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [args[0], str(project), "--target", "local", *args[1:]])


def billing_reads(admin: httpx.Client, run: Result) -> int:
    assert run.exit_code in (0, 2), run.output
    count: int = admin.get("/stats").json()["requests"].get(BILLING_GET, 0)
    admin.delete("/stats")
    return count


def assert_trusted(project: Path, admin: httpx.Client, *args: str) -> Result:
    """`plan --refresh=false` reads no link's billing, and finds nothing to change."""
    quick = reconcile(project, "plan", "--skip-stripe-checks", *args, "--refresh=false")
    assert billing_reads(admin, quick) == 0
    assert quick.exit_code == 0
    return quick


def customer_by_key(konnect: httpx.Client, key: str) -> dict[str, Any]:
    [customer] = konnect.get("/customers", params={"filter[key]": key}).json()["data"]
    found: dict[str, Any] = customer
    return found


def link_stripe(konnect: httpx.Client, key: str, stripe: dict[str, str]) -> dict[str, Any]:
    """Link the customer to Stripe ids outside reconcile (Konnect's billing PUT, as a finished
    checkout or another tool does); returns the customer."""
    customer = customer_by_key(konnect, key)
    body = {"app_data": {"stripe": stripe}}
    konnect.put(f"/customers/{customer['id']}/billing", json=body).raise_for_status()
    return customer


def changes(run: Result) -> list[str]:
    data = json.loads(run.stdout)
    return [a["address"].partition(".")[2] for a in data["actions"] if a["type"] != "no-op"]


@pytest.fixture
def applied(project: Path, admin: httpx.Client) -> Path:
    profile = manifest(
        "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    write_manifests(project, STRIPE_APP, profile, *links())
    applied = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 0, applied.output
    admin.delete("/stats")
    return project


def test_links_applied_as_declared_are_not_read(applied: Path, admin: httpx.Client) -> None:
    args = ("plan", "--skip-stripe-checks", "--detailed-exitcode")
    assert billing_reads(admin, reconcile(applied, *args)) == LINKS
    quick = assert_trusted(applied, admin, "--detailed-exitcode")
    assert "--refresh=false: customer links whose applied-digest label" in quick.stdout
    assert "reconcile-applied" not in quick.stdout


def test_a_changed_manifest_is_read_and_planned(applied: Path, admin: httpx.Client) -> None:
    changed = links()
    changed[2]["spec"]["stripe"]["customer_id"] = "cus_Moved0"
    write_manifests(
        applied, *[d for d in _documents(applied) if d["kind"] != "CustomerBilling"], *changed
    )
    run = reconcile(applied, "plan", "--skip-stripe-checks", "--refresh=false", "--output", "json")
    assert billing_reads(admin, run) == 1
    assert changes(run) == ["c2"]


def test_out_of_band_billing_edits_are_the_price(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    link_stripe(konnect_http, "c1", {"customer_id": "cus_Elsewhere0"})
    quick = reconcile(
        applied, "plan", "--skip-stripe-checks", "--refresh=false", "--output", "json"
    )
    assert changes(quick) == []
    full = reconcile(applied, "plan", "--skip-stripe-checks", "--output", "json")
    assert changes(full) == ["c1"]
    drift = reconcile(applied, "drift", "--skip-stripe-checks")
    assert drift.exit_code == 2
    assert "cus_Elsewhere0" in drift.stdout


def test_the_digest_is_written_last_after_the_billing_link(
    project: Path, admin: httpx.Client
) -> None:
    linked, awaiting = links()[:2]
    awaiting["spec"] = {"customer": awaiting["spec"]["customer"], "onboarding": "checkout"}
    profile = manifest(
        "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    write_manifests(project, STRIPE_APP, profile, linked, awaiting)
    admin.delete("/requests")
    applied = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert applied.exit_code == 0, applied.output
    customers = {c["key"]: c for c in admin.get("/collections/konnect.customers").json()["data"]}
    assert all("reconcile-applied" in c["labels"] for c in customers.values())
    writes = [
        (e["method"], e["path"])
        for e in admin.get("/requests").json()["data"]
        if e["method"] != "GET" and "/customers" in e["path"]
    ]
    customer = f"/v3/openmeter/customers/{customers['c0']['id']}"
    assert [w for w in writes if w[1].startswith(customer)] == [
        ("PUT", customer + "/billing"),
        ("PUT", customer),
    ]
    # Nothing to link: the create carries the digest, and no further write is needed.
    assert not any(
        w[1].startswith(f"/v3/openmeter/customers/{customers['c1']['id']}") for w in writes
    )
    assert writes.count(("POST", "/v3/openmeter/customers")) == 2

    linked["spec"]["stripe"]["customer_id"] = "cus_Moved0"
    write_manifests(project, STRIPE_APP, profile, linked, awaiting)
    admin.delete("/requests")
    updated = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert updated.exit_code == 0, updated.output
    puts = [e["path"] for e in admin.get("/requests").json()["data"] if e["method"] == "PUT"]
    assert puts == [customer + "/billing", customer]


def test_a_link_whose_billing_write_failed_is_still_planned(
    project: Path, admin: httpx.Client
) -> None:
    # The billing PUT fails for good, and so would any clean-up of the customer after it: what
    # a process killed between the two writes leaves behind.
    faults = {
        "PUT /v3/openmeter/customers/{customer_id}/billing": 400,
        "PUT /v3/openmeter/customers/{customer_id}": 400,
    }
    profile = manifest(
        "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    write_manifests(project, STRIPE_APP, profile, *links())
    admin.patch("/faults", json={"route_faults": faults}).raise_for_status()
    failed = reconcile(project, "apply", "--auto-approve", "--skip-stripe-checks")
    assert failed.exit_code == 1
    assert f"{LINKS} failed" in failed.stdout
    admin.put("/faults", json={}).raise_for_status()
    customers = admin.get("/collections/konnect.customers").json()["data"]
    assert len(customers) == LINKS
    assert not any("reconcile-applied" in (c.get("labels") or {}) for c in customers)
    quick = reconcile(
        project, "plan", "--skip-stripe-checks", "--refresh=false", "--output", "json"
    )
    assert quick.exit_code == 0, quick.output
    assert sorted(changes(quick)) == [f"c{n}" for n in range(LINKS)]


def test_a_checkout_link_is_always_read_since_konnect_completes_it(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    write_manifests(applied, *_documents(applied), NEWBIE)
    again = reconcile(applied, "apply", "--auto-approve", "--skip-stripe-checks")
    assert again.exit_code == 0, again.output
    # The checkout completes: Konnect links the Stripe customer and its new card.
    link_stripe(konnect_http, "newbie", ONBOARDED)
    admin.delete("/stats")
    quick = reconcile(
        applied, "plan", "--skip-stripe-checks", "--refresh=false", "--output", "json"
    )
    assert billing_reads(admin, quick) == 1
    assert json.loads(quick.stdout)["findings"] == []  # not "no Stripe customer is linked yet"


def rename(konnect: httpx.Client, key: str, name: str) -> None:
    """Rename a customer outside reconcile, its labels kept: the applied digest still matches."""
    customer = customer_by_key(konnect, key)
    labels = {k: v for k, v in customer["labels"].items() if not k.startswith("openmeter_")}
    body = {"name": name, "labels": labels}
    konnect.put(f"/customers/{customer['id']}", json=body).raise_for_status()


def apply_saved(planfile: Path) -> Result:
    return CliRunner().invoke(main, ["apply", str(planfile), "--skip-stripe-checks"])


def save_quick_plan(project: Path, planfile: Path) -> Result:
    args = ("--skip-stripe-checks", "--refresh=false", "--output", "json", "-out", str(planfile))
    return reconcile(project, "plan", *args)


def test_a_plan_saved_without_refresh_applies_reading_as_it_was_made(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    rename(konnect_http, "c1", "Renamed")
    planfile = applied.parent / "plan.out"
    saved = save_quick_plan(applied, planfile)
    assert billing_reads(admin, saved) == 0
    assert changes(saved) == ["c1"]
    result = apply_saved(planfile)
    assert result.exit_code == 0, result.output
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in result.stdout
    # Checked and written as planned: the billing the plan took as applied is not read either.
    assert billing_reads(admin, result) == 0
    assert changes(reconcile(applied, "plan", "--skip-stripe-checks", "--output", "json")) == []


def test_a_plan_saved_without_refresh_is_refused_when_its_link_changed(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    rename(konnect_http, "c1", "Renamed")
    planfile = applied.parent / "plan.out"
    assert save_quick_plan(applied, planfile).exit_code == 0
    rename(konnect_http, "c1", "Renamed again")
    customers = admin.get("/collections/konnect.customers").json()
    result = apply_saved(planfile)
    assert result.exit_code == 1
    assert "customer_billing.c1 was changed since the plan was made" in result.output
    assert admin.get("/collections/konnect.customers").json() == customers


def _documents(project: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((project / "manifests.yaml").read_text()))


def customer_writes(admin: httpx.Client) -> list[str]:
    return [
        f"{e['method']} {e['path']}"
        for e in admin.get("/requests").json()["data"]
        if e["method"] != "GET" and "/customers" in e["path"]
    ]


def test_links_following_the_default_stay_trusted_after_a_default_switch(
    applied: Path, admin: httpx.Client
) -> None:
    main = manifest("BillingProfile", "main", {"app": "stripe", "supplier": SUPPLIER})
    next_default = manifest(
        "BillingProfile", "next", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    write_manifests(applied, STRIPE_APP, main, next_default, *links())
    admin.delete("/requests")
    switched = reconcile(applied, "apply", "--auto-approve", "--skip-stripe-checks")
    assert switched.exit_code == 0, switched.output
    # The links follow the default: their billing, as apply writes it, names no profile.
    assert customer_writes(admin) == []
    admin.delete("/stats")
    assert_trusted(applied, admin)


def test_a_customer_edit_konnect_already_shows_keeps_the_link_trusted(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    # A label added in Konnect, then taken into the manifest; the customer list shows it on
    # every plan, so the label need not vouch for it.
    customer = customer_by_key(konnect_http, "c1")
    body = {"name": customer["name"], "labels": {**customer["labels"], "team": "growth"}}
    konnect_http.put(f"/customers/{customer['id']}", json=body).raise_for_status()
    edited = links()
    edited[1]["metadata"]["labels"] = {"team": "growth"}
    write_manifests(
        applied, *[d for d in _documents(applied) if d["kind"] != "CustomerBilling"], *edited
    )
    assert_trusted(applied, admin)


def test_a_billing_edit_konnect_already_shows_rewrites_the_label_once(
    applied: Path, admin: httpx.Client, konnect_http: httpx.Client
) -> None:
    others = _documents(applied)
    write_manifests(applied, *others, NEWBIE)
    assert reconcile(applied, "apply", "--auto-approve", "--skip-stripe-checks").exit_code == 0
    # The checkout completes, and the manifest then declares what Konnect linked.
    customer = link_stripe(konnect_http, "newbie", ONBOARDED)
    declared = {**NEWBIE, "spec": {"customer": NEWBIE["spec"]["customer"], "stripe": ONBOARDED}}
    write_manifests(applied, *others, declared)

    run = reconcile(applied, "plan", "--skip-stripe-checks", "--output", "json")
    [action] = [a for a in json.loads(run.stdout)["actions"] if a["type"] != "no-op"]
    assert (action["address"].partition(".")[2], action["type"], action["changes"]) == (
        "newbie",
        "update",
        [],
    )
    assert "applied-digest label is out of date" in action["reasons"][0]
    shown = reconcile(applied, "plan", "--skip-stripe-checks", "--no-color").stdout.splitlines()
    assert '  ~ customer_billing "newbie" (label only)' in shown
    assert '  ~ customer_billing "newbie" {' not in shown
    admin.delete("/requests")
    rewritten = reconcile(applied, "apply", "--auto-approve", "--skip-stripe-checks")
    assert rewritten.exit_code == 0, rewritten.output
    assert customer_writes(admin) == [f"PUT /v3/openmeter/customers/{customer['id']}"]
    admin.delete("/stats")
    assert_trusted(applied, admin)


STRIPE_CUSTOMER_READS = ("GET /v1/customers", "GET /v1/customers/{customer}")


def stripe_customer_reads(admin: httpx.Client, run: Result) -> int:
    requests: dict[str, int] = admin.get("/stats").json()["requests"]
    admin.delete("/stats")
    assert run.exit_code in (0, 1, 2), run.output
    return sum(requests.get(route, 0) for route in STRIPE_CUSTOMER_READS)


@pytest.fixture
def paid_and_applied(
    project: Path, admin: httpx.Client, sandbox_config: SandboxConfig
) -> Iterator[tuple[Path, World]]:
    """Links to a Stripe customer with a card, applied with the Stripe checks."""
    with TestClient(create_app(sandbox_config)) as client:
        world = World(client)
        paying = world.stripe_customer(**{"address[country]": "US"})
        world.card(paying)
        profile = manifest(
            "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
        )
        write_manifests(project, STRIPE_APP, profile, *links(paying))
        applied = reconcile(project, "apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        admin.delete("/stats")
        yield project, world


def test_links_taken_as_applied_are_not_checked_against_stripe_again(
    paid_and_applied: tuple[Path, World], admin: httpx.Client
) -> None:
    project, world = paid_and_applied
    assert stripe_customer_reads(admin, reconcile(project, "plan", "--detailed-exitcode")) > 0
    quick = reconcile(project, "plan", "--refresh=false", "--detailed-exitcode")
    assert stripe_customer_reads(admin, quick) == 0
    assert quick.exit_code == 0, quick.output
    # The price: a Stripe customer deleted since the apply goes unseen until a full plan.
    [paying] = {d["spec"]["stripe"]["customer_id"] for d in links_of(project)}
    world.stripe("DELETE", f"/customers/{paying}")
    assert reconcile(project, "plan", "--refresh=false").exit_code == 0
    full = reconcile(project, "plan")
    assert full.exit_code == 1
    assert f"Stripe customer {paying} was deleted" in full.output


def test_a_link_read_again_is_checked_against_stripe(
    paid_and_applied: tuple[Path, World], admin: httpx.Client
) -> None:
    project, _ = paid_and_applied
    changed = links_of(project)
    changed[3]["spec"]["stripe"]["customer_id"] = "cus_Missing0"
    others = [d for d in _documents(project) if d["kind"] != "CustomerBilling"]
    write_manifests(project, *others, *changed)
    quick = reconcile(project, "plan", "--refresh=false")
    assert stripe_customer_reads(admin, quick) == 1  # the changed link's customer alone
    assert quick.exit_code == 1
    assert "Stripe customer cus_Missing0 does not exist" in quick.output


def links_of(project: Path) -> list[dict[str, Any]]:
    return [d for d in _documents(project) if d["kind"] == "CustomerBilling"]


def test_a_link_taken_as_applied_that_moves_is_checked_as_it_will_be_billed(
    paid_and_applied: tuple[Path, World], admin: httpx.Client
) -> None:
    project, _ = paid_and_applied
    main = manifest("BillingProfile", "main", {"app": "stripe", "supplier": SUPPLIER})
    invoiced = manifest(
        "BillingProfile",
        "next",
        {
            "default": True,
            "app": "stripe",
            "supplier": SUPPLIER,
            "workflow": {"payment": {"collection_method": "send_invoice"}},
        },
    )
    write_manifests(project, STRIPE_APP, main, invoiced, *links_of(project))
    quick = reconcile(project, "plan", "--refresh=false", "--output", "json")
    assert stripe_customer_reads(admin, quick) == 1  # the one Stripe customer of the links
    assert len(json.loads(quick.stdout)["moved_links"]) == LINKS
