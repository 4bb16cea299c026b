"""The product catalog's rules: meters, features and plan versions (publish, archive)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.konnect_api.contract import ContractClient
from tests.sandbox.konnect_api.test_tax_codes import create_tax_code


def create_meter(konnect: ContractClient, key: str = "api_calls", **fields: Any) -> dict[str, Any]:
    body = {"name": key, "key": key, "aggregation": "count", "event_type": "request", **fields}
    response = konnect.post("/openmeter/meters", json=body)
    assert response.status_code == 201, response.text
    meter: dict[str, Any] = response.json()
    return meter


def create_feature(
    konnect: ContractClient, key: str = "api_calls", meter_id: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": key, "key": key}
    if meter_id is not None:
        body["meter"] = {"id": meter_id}
    response = konnect.post("/openmeter/features", json=body)
    assert response.status_code == 201, response.text
    feature: dict[str, Any] = response.json()
    return feature


def plan_body(
    key: str = "pro", *, tax_code_id: str | None = None, feature_id: str | None = None
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": "base_fee",
        "name": "Base fee",
        "billing_cadence": "P1M",
        "price": {"type": "flat", "amount": "49.00"},
    }
    if tax_code_id is not None:
        base["tax_config"] = {"code": {"id": tax_code_id}}
    cards = [base]
    if feature_id is not None:
        cards.append(
            {
                "key": "api_calls",
                "name": "API calls",
                "feature": {"id": feature_id},
                "billing_cadence": "P1M",
                "price": {"type": "unit", "amount": "0.0010"},
            }
        )
    return {
        "key": key,
        "name": key.title(),
        "currency": "USD",
        "billing_cadence": "P1M",
        "labels": {"managed-by": "reconcile"},
        "phases": [{"key": "default", "name": "Default", "rate_cards": cards}],
    }


def create_plan(konnect: ContractClient, body: dict[str, Any]) -> dict[str, Any]:
    response = konnect.post("/openmeter/plans", json=body)
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


def test_meter_rules(konnect: ContractClient) -> None:
    meter = create_meter(konnect, dimensions={"region": "$.region"})
    assert meter["dimensions"] == {"region": "$.region"}
    assert konnect.post("/openmeter/meters", json=_meter_body("api_calls")).status_code == 409
    no_property = konnect.post("/openmeter/meters", json=_meter_body("tokens", "sum"))
    assert no_property.status_code == 400
    with_property = _meter_body("tokens", "sum") | {"value_property": "$.tokens"}
    assert konnect.post("/openmeter/meters", json=with_property).status_code == 201
    renamed = konnect.put(f"/openmeter/meters/{meter['id']}", json={"name": "API calls"})
    assert renamed.json()["name"] == "API calls"


def _meter_body(key: str, aggregation: str = "count") -> dict[str, Any]:
    return {"name": key, "key": key, "aggregation": aggregation, "event_type": "request"}


def test_a_meter_that_features_use_cannot_be_deleted(konnect: ContractClient) -> None:
    meter = create_meter(konnect)
    feature = create_feature(konnect, meter_id=meter["id"])
    assert konnect.delete(f"/openmeter/meters/{meter['id']}").status_code == 409
    assert konnect.delete(f"/openmeter/features/{feature['id']}").status_code == 204
    assert konnect.delete(f"/openmeter/meters/{meter['id']}").status_code == 204
    assert konnect.get(f"/openmeter/meters/{meter['id']}").status_code == 404


def test_feature_keys_are_unique_and_meters_must_exist(konnect: ContractClient) -> None:
    meter = create_meter(konnect)
    feature = create_feature(konnect, meter_id=meter["id"])
    assert feature["meter"] == {"id": meter["id"]}
    again = konnect.post("/openmeter/features", json={"name": "x", "key": "api_calls"})
    assert again.status_code == 409
    nowhere = {"name": "x", "key": "other", "meter": {"id": "01J0000000000000000000000Z"}}
    assert konnect.post("/openmeter/features", json=nowhere).status_code == 404
    listed = konnect.get("/openmeter/features", params={"filter[meter_id]": meter["id"]})
    assert [f["key"] for f in listed.json()["data"]] == ["api_calls"]


def test_a_plan_is_created_as_draft_version_1_without_labels_on_read(
    konnect: ContractClient,
) -> None:
    tax_code = create_tax_code(konnect)
    plan = create_plan(konnect, plan_body(tax_code_id=tax_code["id"]))
    assert (plan["version"], plan["status"]) == (1, "draft")
    assert "labels" not in plan  # v3 takes plan labels but renders none
    card = plan["phases"][0]["rate_cards"][0]
    assert card["price"] == {"type": "flat", "amount": "49"}
    assert card["payment_term"] == "in_arrears"
    assert card["tax_config"] == {"code": {"id": tax_code["id"]}}


def test_references_must_exist(konnect: ContractClient) -> None:
    nobody = "01J0000000000000000000000Z"
    for body in (plan_body(tax_code_id=nobody), plan_body(feature_id=nobody)):
        response = konnect.post("/openmeter/plans", json=body)
        assert response.status_code == 400, response.text
        assert nobody in response.text or "feature not found" in response.text


def test_a_rate_card_takes_its_features_key(konnect: ContractClient) -> None:
    feature = create_feature(konnect, key="tokens")
    response = konnect.post("/openmeter/plans", json=plan_body(feature_id=feature["id"]))
    assert response.status_code == 400
    assert "rate card key must match feature key" in response.text


def test_publishing_a_new_version_archives_the_active_one(konnect: ContractClient) -> None:
    first = create_plan(konnect, plan_body())
    published = konnect.post(f"/openmeter/plans/{first['id']}/publish").json()
    assert published["status"] == "active" and "effective_from" in published
    # An active version is immutable: a change is a new version, made as a draft.
    refused = konnect.put(f"/openmeter/plans/{first['id']}", json=_upsert(first))
    assert refused.status_code == 400
    second = create_plan(konnect, plan_body())
    assert (second["version"], second["status"]) == (2, "draft")
    assert konnect.post("/openmeter/plans", json=plan_body()).status_code == 400  # one draft
    konnect.post(f"/openmeter/plans/{second['id']}/publish")
    statuses = {
        p["version"]: p["status"]
        for p in konnect.get("/openmeter/plans", params={"filter[key]": "pro"}).json()["data"]
    }
    assert statuses == {1: "archived", 2: "active"}


def test_drafts_change_in_place_and_only_actives_archive(konnect: ContractClient) -> None:
    plan = create_plan(konnect, plan_body())
    body = _upsert(plan) | {"name": "Pro plan"}
    assert konnect.put(f"/openmeter/plans/{plan['id']}", json=body).json()["name"] == "Pro plan"
    assert konnect.post(f"/openmeter/plans/{plan['id']}/archive").status_code == 400
    konnect.post(f"/openmeter/plans/{plan['id']}/publish")
    assert konnect.delete(f"/openmeter/plans/{plan['id']}").status_code == 400
    archived = konnect.post(f"/openmeter/plans/{plan['id']}/archive").json()
    assert archived["status"] == "archived"
    assert konnect.delete(f"/openmeter/plans/{plan['id']}").status_code == 204


def test_a_plan_with_warnings_is_stored_but_not_published(konnect: ContractClient) -> None:
    body = plan_body()
    body["phases"][0]["rate_cards"][0]["price"] = {"type": "unit", "amount": "1"}
    plan = create_plan(konnect, body)
    codes = {issue["code"] for issue in plan["validation_errors"]}
    assert "rate_card_usage_based_price_with_no_feature" in codes
    assert konnect.post(f"/openmeter/plans/{plan['id']}/publish").status_code == 400


def _upsert(plan: dict[str, Any]) -> dict[str, Any]:
    return {"name": plan["name"], "phases": plan["phases"]}


def create_addon(
    konnect: ContractClient, key: str = "support", *, publish: bool = True, **fields: Any
) -> dict[str, Any]:
    card = {
        "key": "support_fee",
        "name": "Support fee",
        "billing_cadence": "P1M",
        "price": {"type": "flat", "amount": "99"},
    }
    body = {
        "key": key,
        "name": key.title(),
        "currency": "USD",
        "instance_type": "single",
        "rate_cards": [card],
        **fields,
    }
    response = konnect.post("/openmeter/addons", json=body)
    assert response.status_code == 201, response.text
    addon: dict[str, Any] = response.json()
    if publish:
        addon = konnect.post(f"/openmeter/addons/{addon['id']}/publish").json()
    return addon


def assign(konnect: ContractClient, plan_id: str, addon_id: str, **fields: Any) -> Any:
    body = {"name": "Support", "addon": {"id": addon_id}, "from_plan_phase": "default", **fields}
    return konnect.post(f"/openmeter/plans/{plan_id}/addons", json=body)


def test_add_ons_have_versions_as_plans_do(konnect: ContractClient) -> None:
    first = create_addon(konnect)
    assert (first["version"], first["status"]) == (1, "active")
    assert first["labels"] == {}
    second = create_addon(konnect, publish=False)
    assert (second["version"], second["status"]) == (2, "draft")
    konnect.post(f"/openmeter/addons/{second['id']}/publish")
    assert konnect.get(f"/openmeter/addons/{first['id']}").json()["status"] == "archived"


def test_a_multi_instance_add_on_with_a_flat_price_is_not_published(
    konnect: ContractClient,
) -> None:
    addon = create_addon(konnect, publish=False, instance_type="multiple")
    codes = {issue["code"] for issue in addon["validation_errors"]}
    assert codes == {"addon_invalid_price_for_multi_instance"}
    assert konnect.post(f"/openmeter/addons/{addon['id']}/publish").status_code == 400


def test_a_draft_plan_takes_an_active_add_on_once(konnect: ContractClient) -> None:
    plan = create_plan(konnect, plan_body())
    draft_addon = create_addon(konnect, "extra", publish=False)
    assert assign(konnect, plan["id"], draft_addon["id"]).status_code == 400
    addon = create_addon(konnect)
    assigned = assign(konnect, plan["id"], addon["id"])
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["addon"] == {"id": addon["id"]}
    assert assign(konnect, plan["id"], addon["id"]).status_code == 409
    listed = konnect.get(f"/openmeter/plans/{plan['id']}/addons").json()["data"]
    assert [a["id"] for a in listed] == [assigned.json()["id"]]
    konnect.post(f"/openmeter/plans/{plan['id']}/publish")
    # A published plan's add-ons are as immutable as the plan.
    item = f"/openmeter/plans/{plan['id']}/addons/{assigned.json()['id']}"
    assert konnect.delete(item).status_code == 400


def test_an_assignment_to_a_missing_phase_refuses_the_publish(konnect: ContractClient) -> None:
    plan = create_plan(konnect, plan_body())
    addon = create_addon(konnect)
    assigned = assign(konnect, plan["id"], addon["id"], from_plan_phase="trial").json()
    assert assigned["validation_errors"][0]["code"] == "plan_addon_unknown_plan_phase_key"
    assert konnect.post(f"/openmeter/plans/{plan['id']}/publish").status_code == 400
