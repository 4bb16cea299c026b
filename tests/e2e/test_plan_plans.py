"""Plans with tax codes on their rate cards, through the CLI against the sandbox: an empty
organization gets the whole catalog; a change is a new version, published; references
are checked at plan time; drift, archive and export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.cli.commands.test_export import assert_plans_clean, documents
from tests.e2e.worlds import World, manifest, write_manifests

SAAS = manifest("TaxCode", "saas", {"key": "saas", "stripe_tax_code": "txcd_10103001"})
DATA = manifest("TaxCode", "data", {"key": "data", "stripe_tax_code": "txcd_10701000"})
METER = manifest(
    "Meter", "api-calls", {"key": "api_calls", "event_type": "request", "aggregation": "count"}
)
FEATURE = manifest("Feature", "api-calls", {"key": "api_calls", "meter": "api-calls"})


def pro(*, fee: str = "49", data_tax: str = "data", **spec: Any) -> dict[str, Any]:
    cards = [
        {
            "key": "platform_fee",
            "name": "Platform fee",
            "billing_cadence": "P1M",
            "price": {"type": "flat", "amount": fee},
            "payment_term": "in_advance",
            "tax_config": {"tax_code": "saas"},
        },
        {
            "key": "api_calls",
            "feature": "api-calls",
            "billing_cadence": "P1M",
            "price": {"type": "unit", "amount": "0.0010"},
            "tax_config": {"tax_code": data_tax, "behavior": "exclusive"},
        },
    ]
    return manifest(
        "Plan",
        "pro",
        {
            "key": "pro",
            "currency": "USD",
            "billing_cadence": "P1M",
            "phases": [{"key": "default", "rate_cards": cards}],
            **spec,
        },
    )


CATALOG = [SAAS, DATA, METER, FEATURE]


def reconcile(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def plan(project: Path, *args: str) -> dict[str, Any]:
    result = reconcile("plan", str(project), "--output", "json", "--skip-stripe-checks", *args)
    assert result.exit_code in (0, 1, 2), result.output  # 1: a blocked action
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def plan_action(project: Path) -> dict[str, Any]:
    [action] = [a for a in plan(project)["actions"] if a["address"] == "plan.pro"]
    return action


def apply(project: Path) -> None:
    result = reconcile("apply", str(project), "--auto-approve", "--skip-stripe-checks")
    assert result.exit_code == 0, result.output


def versions(world: World) -> dict[int, dict[str, Any]]:
    listed = world.konnect("GET", "/plans?filter[key]=pro")["data"]
    return {plan["version"]: plan for plan in listed}


def tax_code_ids(world: World) -> dict[str, str]:
    return {code["key"]: code["id"] for code in world.konnect("GET", "/tax-codes")["data"]}


def test_an_empty_organization_gets_the_plan_with_a_tax_code_per_rate_card(
    project: Path, world: World
) -> None:
    write_manifests(project, *CATALOG, pro())
    action = plan_action(project)
    assert action["type"] == "create"
    assert set(action["depends_on"]) == {"tax_code.saas", "tax_code.data", "feature.api-calls"}
    assert "creates version 1 as a draft and publishes it" in action["reasons"]
    apply(project)
    [live] = versions(world).values()
    assert (live["version"], live["status"]) == (1, "active")
    ids = tax_code_ids(world)
    cards = {card["key"]: card for card in live["phases"][0]["rate_cards"]}
    assert cards["platform_fee"]["tax_config"] == {"code": {"id": ids["saas"]}}
    assert cards["api_calls"]["tax_config"] == {
        "code": {"id": ids["data"]},
        "behavior": "exclusive",
    }
    assert plan(project)["is_noop"] is True


def test_a_change_is_a_new_version_published_and_the_old_one_archived(
    project: Path, world: World
) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    write_manifests(project, *CATALOG, pro(fee="59.00"))
    action = plan_action(project)
    assert action["type"] == "replace"
    assert [(c["path"], c["before"], c["after"]) for c in action["changes"]] == [
        ("phases.default.rate_cards.platform_fee.price.amount", "49", "59")
    ]
    [reason] = action["reasons"]
    assert reason.startswith("new version 2: version 1 is active")
    assert "Konnect archives version 1 as it publishes" in reason
    text = reconcile("plan", str(project), "--skip-stripe-checks")
    assert "-/+" in text.output and "new version 2" in text.output
    apply(project)
    assert {v: p["status"] for v, p in versions(world).items()} == {1: "archived", 2: "active"}
    assert plan(project)["is_noop"] is True


def test_a_tax_code_neither_declared_nor_live_blocks_the_plan(project: Path) -> None:
    write_manifests(project, *CATALOG, pro(data_tax="telecom"))
    action = plan_action(project)
    assert action["type"] == "blocked"
    assert action["reasons"] == [
        "phases.default.rate_cards.api_calls.tax_config.tax_code names tax code 'telecom': "
        "no TaxCode manifest has that name and Konnect has no tax code with that key"
    ]


def test_a_live_tax_code_without_a_stripe_mapping_blocks_the_plan(
    project: Path, world: World
) -> None:
    world.konnect("POST", "/tax-codes", {"key": "telecom", "name": "Telecom", "app_mappings": []})
    write_manifests(project, *CATALOG, pro(data_tax="telecom"))
    action = plan_action(project)
    assert action["type"] == "blocked"
    assert "maps to no Stripe tax code" in action["reasons"][0]


def test_a_live_tax_code_is_named_by_its_key(project: Path, world: World) -> None:
    world.tax_code("telecom", "Telecom", stripe_code="txcd_10701000")
    write_manifests(project, SAAS, METER, FEATURE, pro(data_tax="telecom"))
    apply(project)
    [live] = versions(world).values()
    api_calls = live["phases"][0]["rate_cards"][1]
    assert api_calls["tax_config"]["code"]["id"] == tax_code_ids(world)["telecom"]
    assert plan(project)["is_noop"] is True


def test_a_draft_left_behind_is_changed_in_place_and_published(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    [first] = versions(world).values()
    draft = {key: first[key] for key in ("key", "name", "currency", "billing_cadence", "phases")}
    world.konnect("POST", "/plans", draft)
    action = plan_action(project)
    assert action["type"] == "update"
    assert action["reasons"] == [
        "changes draft version 2 in place and publishes it; "
        "Konnect archives version 1 as it publishes"
    ]
    apply(project)
    assert {v: p["status"] for v, p in versions(world).items()} == {1: "archived", 2: "active"}


def test_archived_retires_the_active_version(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    write_manifests(project, *CATALOG, pro(archived=True))
    action = plan_action(project)
    assert [(c["path"], c["before"], c["after"]) for c in action["changes"]] == [
        ("status", "active", "archived")
    ]
    apply(project)
    assert versions(world)[1]["status"] == "archived"
    assert plan(project)["is_noop"] is True


def test_drift_shows_a_version_published_out_of_band(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    [first] = versions(world).values()
    edited = {key: first[key] for key in ("key", "name", "currency", "billing_cadence", "phases")}
    edited["phases"][0]["rate_cards"][0]["price"]["amount"] = "99"
    second = world.konnect("POST", "/plans", edited)
    world.konnect("POST", f"/plans/{second['id']}/publish")
    result = reconcile("drift", str(project), "--skip-stripe-checks")
    assert result.exit_code == 2, result.output
    assert "plan.pro" in result.output
    assert "phases.default.rate_cards.platform_fee.price.amount" in result.output


def test_export_includes_the_plan_and_it_plans_clean(project: Path) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    out = project.parent / "exported"
    assert reconcile("export", str(project), str(out)).exit_code == 0
    exported = documents(out)[("Plan", "pro")]["spec"]
    cards = exported["phases"][0]["rate_cards"]
    assert [card["tax_config"]["tax_code"] for card in cards] == ["saas", "data"]
    assert_plans_clean(out, project)


def test_a_plan_in_a_currency_no_customer_bills_in_is_a_warning(project: Path) -> None:
    customer = {"key": "acme", "name": "Acme", "currency": "EUR"}
    link = manifest(
        "CustomerBilling",
        "acme",
        {"customer": customer, "stripe": {"customer_id": "cus_Q1w2E3r4T5y6U7"}},
    )
    write_manifests(project, *CATALOG, pro(), link)
    findings = [f for f in plan(project)["findings"] if f["address"] == "plan.pro"]
    assert [(f["severity"], f["message"]) for f in findings] == [
        (
            "warning",
            "the plan is priced in USD, but the customers declared on "
            "(the default profile) bill in EUR",
        )
    ]
    write_manifests(project, *CATALOG, pro(currency="EUR"), link)
    assert not [f for f in plan(project)["findings"] if f["address"] == "plan.pro"]


def test_a_feature_a_published_plan_sells_is_not_replaced_under_it(project: Path) -> None:
    write_manifests(project, *CATALOG, pro())
    apply(project)
    renamed = manifest("Feature", "api-calls", {**FEATURE["spec"], "name": "Requests"})
    write_manifests(project, SAAS, DATA, METER, renamed, pro())
    [action] = [a for a in plan(project)["actions"] if a["address"] == "feature.api-calls"]
    assert action["type"] == "blocked"
    assert "live plan or add-on versions sell it (pro)" in action["reasons"][-1]
