"""Tax code rules and the organization default tax codes."""

from __future__ import annotations

from typing import Any

from tests.sandbox.konnect_api.contract import ContractClient

STRIPE_MAPPING = [{"app_type": "stripe", "tax_code": "txcd_10103001"}]


def create_tax_code(konnect: ContractClient, key: str = "saas") -> dict[str, Any]:
    response = konnect.post(
        "/openmeter/tax-codes",
        json={"name": key.upper(), "key": key, "app_mappings": STRIPE_MAPPING},
    )
    assert response.status_code == 201, response.text
    tax_code: dict[str, Any] = response.json()
    return tax_code


def test_create_get_update(konnect: ContractClient) -> None:
    created = create_tax_code(konnect)
    path = f"/openmeter/tax-codes/{created['id']}"
    assert konnect.get(path).json() == created
    body = {"name": "SaaS", "description": "Software as a service", "app_mappings": []}
    updated = konnect.put(path, json=body).json()
    assert updated["description"] == "Software as a service"
    assert (updated["key"], updated["name"], updated["app_mappings"]) == ("saas", "SaaS", [])


def test_keys_are_snake_case_and_unique(konnect: ContractClient) -> None:
    bad = konnect.post(
        "/openmeter/tax-codes",
        json={"name": "x", "key": "Not-Snake", "app_mappings": []},
        check_request=False,
    )
    assert bad.json()["invalid_parameters"][0]["rule"] == "matches_regex"
    create_tax_code(konnect)
    duplicate = konnect.post(
        "/openmeter/tax-codes", json={"name": "x", "key": "saas", "app_mappings": []}
    )
    assert duplicate.status_code == 409


def test_mapping_rules(konnect: ContractClient) -> None:
    bad_stripe = [{"app_type": "stripe", "tax_code": "txcd_123"}]
    twice = STRIPE_MAPPING * 2
    for mappings, code in [
        (bad_stripe, "tax_code_stripe_invalid"),
        (twice, "app_types_must_be_unique"),
    ]:
        response = konnect.post(
            "/openmeter/tax-codes", json={"name": "x", "key": "k", "app_mappings": mappings}
        )
        assert response.status_code == 400
        assert response.json()["extensions"]["code"] == code


def test_delete_is_always_forbidden(konnect: ContractClient) -> None:
    created = create_tax_code(konnect)
    assert konnect.delete(f"/openmeter/tax-codes/{created['id']}").status_code == 403
    assert konnect.get(f"/openmeter/tax-codes/{created['id']}").status_code == 200


def test_system_managed_codes_cannot_be_updated(konnect: ContractClient) -> None:
    seeded = konnect.client.post(
        "/_sandbox/konnect/tax-codes/system-managed", json={"stripe_code": "txcd_20030000"}
    ).json()
    assert seeded["key"] == "stripe_txcd_20030000"
    response = konnect.put(
        f"/openmeter/tax-codes/{seeded['id']}", json={"name": "x", "app_mappings": []}
    )
    assert response.status_code == 409
    assert response.json()["extensions"]["code"] == "tax_code_managed_by_system"


def test_include_deleted_and_410(konnect: ContractClient, sandbox_app: Any) -> None:
    kept, gone = create_tax_code(konnect, "kept"), create_tax_code(konnect, "gone")
    store = sandbox_app.state.sandbox.store
    stored = store.get("konnect.tax_codes", gone["id"])
    store.put("konnect.tax_codes", gone["id"], {**stored, "deleted_at": "2026-01-01T00:00:00.000Z"})
    visible = [t["key"] for t in konnect.get("/openmeter/tax-codes").json()["data"]]
    everything = konnect.get("/openmeter/tax-codes", params={"include_deleted": "true"}).json()
    # The org's general code is there from the start, as in a real org.
    assert visible == ["kept", "stripe_txcd_10000000"]
    assert [t["key"] for t in everything["data"]] == ["kept", "gone", "stripe_txcd_10000000"]
    assert kept["id"] != gone["id"]
    response = konnect.put(
        f"/openmeter/tax-codes/{gone['id']}", json={"name": "x", "app_mappings": []}
    )
    assert response.status_code == 410


def test_organization_defaults_need_both_references(konnect: ContractClient) -> None:
    provisioned = konnect.get("/openmeter/defaults/tax-codes").json()
    assert provisioned["invoicing_tax_code"]["id"]
    own = create_tax_code(konnect)
    half = konnect.put(
        "/openmeter/defaults/tax-codes", json={"invoicing_tax_code": {"id": own["id"]}}
    )
    assert half.status_code == 400
    assert half.json()["invalid_parameters"][0]["field"] == "credit_grant_tax_code.id"
    both = {"invoicing_tax_code": {"id": own["id"]}, "credit_grant_tax_code": {"id": own["id"]}}
    updated = konnect.put("/openmeter/defaults/tax-codes", json=both).json()
    assert updated["invoicing_tax_code"] == {"id": own["id"]}
    assert konnect.get("/openmeter/defaults/tax-codes").json() == updated
    missing = {**both, "credit_grant_tax_code": {"id": "01J0000000000000000000000A"}}
    assert konnect.put("/openmeter/defaults/tax-codes", json=missing).status_code == 400
