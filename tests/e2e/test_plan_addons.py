"""Add-ons and a plan's add-ons through the CLI against the sandbox: created and published
before the plan that offers them, a change is a new version, currencies must match, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.commands.test_export import assert_plans_clean, documents
from tests.e2e.test_plan_plans import CATALOG, apply, plan, pro, reconcile
from tests.e2e.worlds import World, manifest, write_manifests


def support(*, fee: str = "99", **spec: Any) -> dict[str, Any]:
    card = {
        "key": "support_fee",
        "name": "Priority support",
        "billing_cadence": "P1M",
        "price": {"type": "flat", "amount": fee},
        "tax_config": {"tax_code": "saas"},
    }
    return manifest(
        "Addon",
        "support",
        {
            "key": "support",
            "currency": "USD",
            "instance_type": "single",
            "rate_cards": [card],
            **spec,
        },
    )


OFFERED = [{"addon": "support", "from_plan_phase": "default"}]


def actions(project: Path) -> dict[str, dict[str, Any]]:
    return {a["address"]: a for a in plan(project)["actions"] if a["type"] != "no-op"}


def plan_addons(world: World) -> list[dict[str, Any]]:
    [active] = [p for p in world.konnect("GET", "/plans")["data"] if p["status"] == "active"]
    listed: list[dict[str, Any]] = world.konnect("GET", f"/plans/{active['id']}/addons")["data"]
    return listed


def test_a_plan_offers_an_add_on_published_before_it(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, support(), pro(addons=OFFERED))
    planned = actions(project)
    assert planned["addon.support"]["type"] == "create"
    assert "addon.support" in planned["plan.pro"]["depends_on"]
    apply(project)
    [addon] = world.konnect("GET", "/addons")["data"]
    assert (addon["status"], addon["labels"]["managed-by"]) == ("active", "reconcile")
    [assigned] = plan_addons(world)
    assert (assigned["addon"]["id"], assigned["from_plan_phase"]) == (addon["id"], "default")
    assert plan(project)["is_noop"] is True


def test_an_add_on_changed_is_a_new_version(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, support(), pro(addons=OFFERED))
    apply(project)
    write_manifests(project, *CATALOG, support(fee="129"), pro(addons=OFFERED))
    action = actions(project)["addon.support"]
    assert action["type"] == "replace"
    assert action["reasons"][0].startswith("new version 2: version 1 is active")
    apply(project)
    statuses = {a["version"]: a["status"] for a in world.konnect("GET", "/addons")["data"]}
    assert statuses == {1: "archived", 2: "active"}


def test_offering_an_add_on_is_a_new_plan_version(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG, support(), pro())
    apply(project)
    write_manifests(project, *CATALOG, support(), pro(addons=OFFERED))
    action = actions(project)["plan.pro"]
    assert action["type"] == "replace"
    assert [c["path"] for c in action["changes"]] == ["addons.support.from_plan_phase"]
    apply(project)
    assert len(plan_addons(world)) == 1
    assert plan(project)["is_noop"] is True


def test_an_add_on_in_another_currency_blocks_the_plan(project: Path) -> None:
    write_manifests(project, *CATALOG, support(currency="EUR"), pro(addons=OFFERED))
    action = actions(project)["plan.pro"]
    assert action["type"] == "blocked"
    assert action["reasons"] == [
        "addons.support: the add-on is priced in EUR, the plan in USD; "
        "Konnect refuses an add-on in another currency"
    ]


def test_export_includes_add_ons_and_plans_clean(project: Path) -> None:
    write_manifests(project, *CATALOG, support(), pro(addons=OFFERED))
    apply(project)
    out = project.parent / "exported"
    assert reconcile("export", str(project), str(out)).exit_code == 0
    exported = documents(out)
    assert exported[("Addon", "support")]["spec"]["rate_cards"][0]["tax_config"] == {
        "tax_code": "saas"
    }
    assert exported[("Plan", "pro")]["spec"]["addons"] == OFFERED
    assert_plans_clean(out, project)
