"""Meters and features through the CLI against the sandbox: create, clean re-plan, update,
replace (refused while a feature uses the meter), drift and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.commands.test_export import assert_plans_clean, documents
from tests.e2e.test_plan_plans import apply, plan, reconcile
from tests.e2e.worlds import World, manifest, write_manifests

API_CALLS = manifest(
    "Meter",
    "api-calls",
    {"key": "api_calls", "event_type": "request", "aggregation": "count"},
)
TOKENS = manifest(
    "Meter",
    "tokens",
    {
        "key": "tokens",
        "event_type": "prompt",
        "aggregation": "sum",
        "value_property": "$.tokens",
        "dimensions": {"model": "$.model"},
    },
)
API_FEATURE = manifest("Feature", "api-calls", {"key": "api_calls", "meter": "api-calls"})
SUPPORT = manifest("Feature", "support", {"key": "support", "description": "Priority support"})
CATALOG = [API_CALLS, TOKENS, API_FEATURE, SUPPORT]


def changes(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["address"]: a for a in data["actions"] if a["type"] != "no-op"}


def changes_after(project: Path, changed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Apply the catalog, then plan it with `changed` in place of the manifest it renames."""
    write_manifests(project, *CATALOG)
    apply(project)
    replaced = (changed["kind"], changed["metadata"]["name"])
    catalog = [changed if (m["kind"], m["metadata"]["name"]) == replaced else m for m in CATALOG]
    write_manifests(project, *catalog)
    return changes(plan(project))


def test_a_catalog_is_created_in_order_and_then_plans_clean(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG)
    planned = changes(plan(project))
    assert {a["type"] for a in planned.values()} == {"create"}
    assert "meter.api-calls" in planned["feature.api-calls"]["depends_on"]
    apply(project)
    assert plan(project)["is_noop"] is True
    [feature] = [f for f in world.konnect("GET", "/features")["data"] if f["key"] == "api_calls"]
    [meter] = [m for m in world.konnect("GET", "/meters")["data"] if m["key"] == "api_calls"]
    assert feature["meter"]["id"] == meter["id"]
    assert feature["labels"]["managed-by"] == "reconcile"


def test_a_meter_renamed_is_updated_in_place(project: Path, world: World) -> None:
    renamed = manifest("Meter", "tokens", {**TOKENS["spec"], "name": "LLM tokens"})
    [action] = changes_after(project, renamed).values()
    assert action["type"] == "update"
    assert [(c["path"], c["after"]) for c in action["changes"]] == [("name", "LLM tokens")]
    apply(project)
    assert plan(project)["is_noop"] is True


def test_a_meter_a_feature_uses_is_not_replaced_under_it(project: Path) -> None:
    summed = manifest(
        "Meter",
        "api-calls",
        {**API_CALLS["spec"], "aggregation": "sum", "value_property": "$.count"},
    )
    action = changes_after(project, summed)["meter.api-calls"]
    assert action["type"] == "blocked"
    [reason] = action["reasons"]
    assert "live features use (api-calls)" in reason and "another key" in reason


def test_a_free_meter_is_replaced(project: Path, world: World) -> None:
    averaged = manifest("Meter", "tokens", {**TOKENS["spec"], "aggregation": "avg"})
    action = changes_after(project, averaged)["meter.tokens"]
    assert action["type"] == "replace"
    apply(project)
    assert plan(project)["is_noop"] is True
    tokens = [m for m in world.konnect("GET", "/meters")["data"] if m["key"] == "tokens"]
    assert [m["aggregation"] for m in tokens] == ["avg"]


def test_a_feature_changed_is_replaced(project: Path, world: World) -> None:
    described = manifest("Feature", "support", {**SUPPORT["spec"], "description": "24/7"})
    action = changes_after(project, described)["feature.support"]
    assert action["type"] == "replace"
    apply(project)
    assert plan(project)["is_noop"] is True


def test_drift_shows_a_meter_edited_out_of_band(project: Path, world: World) -> None:
    write_manifests(project, *CATALOG)
    apply(project)
    [meter] = [m for m in world.konnect("GET", "/meters")["data"] if m["key"] == "tokens"]
    world.konnect("PUT", f"/meters/{meter['id']}", {"dimensions": {}})
    result = reconcile("drift", str(project), "--skip-stripe-checks")
    assert result.exit_code == 2, result.output
    assert "meter.tokens" in result.output and "dimensions.model" in result.output


def test_export_writes_the_catalog_back_and_it_plans_clean(project: Path) -> None:
    write_manifests(project, *CATALOG)
    apply(project)
    out = project.parent / "exported"
    assert reconcile("export", str(project), str(out)).exit_code == 0
    exported = documents(out)
    assert sorted((kind, d["spec"]["key"]) for (kind, _), d in exported.items()) == [
        ("Feature", "api_calls"),
        ("Feature", "support"),
        ("Meter", "api_calls"),
        ("Meter", "tokens"),
    ]
    assert exported[("Feature", "api-calls")]["spec"]["meter"] == "api-calls"
    assert_plans_clean(out, project)
