"""Billing profile rules: defaults, full-replacement PUT, one default, delete rules."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.konnect_api.conftest import (
    SUPPLIER,
    create_customer,
    create_profile,
    install_sandbox_app,
    profile_body,
)
from tests.sandbox.konnect_api.contract import ContractClient

BUILT_IN_WORKFLOW = {
    "collection": {"alignment": {"type": "subscription"}, "interval": "PT1H"},
    "invoicing": {
        "auto_advance": True,
        "draft_period": "P0D",
        "progressive_billing": True,
        "subscription_end_proration_mode": "bill_actual_period",
    },
    "payment": {"collection_method": "charge_automatically"},
    "tax": {"enabled": True, "enforced": False},
}


def upsert_body(profile: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "name": profile["name"],
        "supplier": SUPPLIER,
        "workflow": {},
        "default": profile["default"],
    }
    body.update(overrides)
    return body


def test_omitted_workflow_fields_get_the_built_in_defaults(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    assert stripe_profile["workflow"] == BUILT_IN_WORKFLOW
    assert "description" not in stripe_profile
    assert stripe_profile["supplier"]["id"]
    assert len({ref["id"] for ref in stripe_profile["apps"].values()}) == 1


def test_put_replaces_fully_and_falls_back_to_built_in_defaults(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    path = f"/openmeter/profiles/{stripe_profile['id']}"
    custom = {
        "collection": {"interval": "P1D"},
        "invoicing": {
            "auto_advance": False,
            "draft_period": "P2D",
            "subscription_end_proration_mode": "bill_full_period",
        },
        "payment": {"collection_method": "send_invoice", "due_after": "P14D"},
    }
    body = upsert_body(stripe_profile, workflow=custom, description="Invoices by mail")
    updated = konnect.put(path, json=body).json()
    assert updated["description"] == "Invoices by mail"
    assert updated["workflow"]["collection"]["interval"] == "P1D"
    assert updated["workflow"]["payment"] == {
        "collection_method": "send_invoice",
        "due_after": "P2W",
    }
    again = konnect.put(path, json=upsert_body(stripe_profile, workflow={})).json()
    expected = {
        **BUILT_IN_WORKFLOW,
        "invoicing": {
            **BUILT_IN_WORKFLOW["invoicing"],
            "subscription_end_proration_mode": "bill_full_period",
        },
    }
    assert again["workflow"] == expected  # proration mode alone keeps its stored value
    assert konnect.get(path).json() == again


@pytest.mark.parametrize(
    ("given", "rendered"),
    [
        ("PT0S", "P0D"),
        ("P30D", "P30D"),
        ("PT90M", "PT1H30M"),
        ("not-a-duration", "PT1H"),
        ("P", "PT1H"),
    ],
)
def test_durations_are_normalised_and_unparsable_ones_defaulted(
    konnect: ContractClient, stripe_app: dict[str, Any], given: str, rendered: str
) -> None:
    workflow = {"collection": {"interval": given}}
    profile = create_profile(konnect, stripe_app["id"], workflow=workflow)
    assert profile["workflow"]["collection"]["interval"] == rendered


def test_apps_must_be_one_and_the_same(konnect: ContractClient, stripe_app: dict[str, Any]) -> None:
    other = install_sandbox_app(konnect)
    body = profile_body(stripe_app["id"])
    body["apps"]["payment"] = {"id": other["id"]}
    response = konnect.post("/openmeter/profiles", json=body)
    assert response.status_code == 400
    assert response.json()["extensions"]["code"] == "invalid_profile_apps"


def test_apps_cannot_be_sent_on_update(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    body = upsert_body(stripe_profile, apps=stripe_profile["apps"])
    response = konnect.put(
        f"/openmeter/profiles/{stripe_profile['id']}", json=body, check_request=False
    )
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["rule"] == "unknown_property"


def test_supplier_needs_name_and_country(
    konnect: ContractClient, stripe_app: dict[str, Any]
) -> None:
    response = konnect.post(
        "/openmeter/profiles", json=profile_body(stripe_app["id"], supplier={"name": "Acme"})
    )
    assert response.status_code == 400
    assert response.json()["extensions"]["code"] == "invalid_supplier"


def test_enforced_tax_needs_enabled_tax(
    konnect: ContractClient, stripe_app: dict[str, Any]
) -> None:
    workflow = {"tax": {"enabled": False, "enforced": True}}
    response = konnect.post(
        "/openmeter/profiles", json=profile_body(stripe_app["id"], workflow=workflow)
    )
    assert response.status_code == 400


def test_deprecated_profile_tax_code_cannot_be_set(
    konnect: ContractClient, stripe_app: dict[str, Any]
) -> None:
    workflow = {"tax": {"default_tax_config": {"stripe": {"code": "txcd_10000000"}}}}
    response = konnect.post(
        "/openmeter/profiles", json=profile_body(stripe_app["id"], workflow=workflow)
    )
    assert response.json()["extensions"]["code"] == "deprecated_tax_code"
    behaviour_only = {"tax": {"default_tax_config": {"behavior": "inclusive"}}}
    profile = create_profile(konnect, stripe_app["id"], workflow=behaviour_only)
    assert profile["workflow"]["tax"]["default_tax_config"] == {"behavior": "inclusive"}


def test_exactly_one_default_with_demotion(
    konnect: ContractClient, stripe_app: dict[str, Any], stripe_profile: dict[str, Any]
) -> None:
    second = create_profile(konnect, stripe_app["id"], name="Second", default=True)
    defaults = {p["id"]: p["default"] for p in konnect.get("/openmeter/profiles").json()["data"]}
    assert defaults == {stripe_profile["id"]: False, second["id"]: True}
    promoted = konnect.put(
        f"/openmeter/profiles/{stripe_profile['id']}",
        json=upsert_body(stripe_profile, default=True),
    )
    assert promoted.json()["default"] is True
    assert konnect.get(f"/openmeter/profiles/{second['id']}").json()["default"] is False


def test_the_default_cannot_be_unset(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    response = konnect.put(
        f"/openmeter/profiles/{stripe_profile['id']}",
        json=upsert_body(stripe_profile, default=False),
    )
    assert response.status_code == 400
    assert response.json()["extensions"]["code"] == "default_profile_cannot_be_unset"


def test_delete_rules_and_soft_delete(
    konnect: ContractClient, stripe_app: dict[str, Any], stripe_profile: dict[str, Any]
) -> None:
    default_delete = konnect.delete(f"/openmeter/profiles/{stripe_profile['id']}")
    assert default_delete.json()["extensions"]["code"] == "default_profile_cannot_be_deleted"
    pinned = create_profile(konnect, stripe_app["id"], name="Pinned", default=False)
    customer = create_customer(konnect, "pinned")
    konnect.put(
        f"/openmeter/customers/{customer['id']}/billing",
        json={
            "billing_profile": {"id": pinned["id"]},
            "app_data": {"stripe": {"customer_id": "cus_1"}},
        },
    )
    referenced = konnect.delete(f"/openmeter/profiles/{pinned['id']}")
    assert referenced.json()["extensions"]["code"] == "profile_referenced"
    assert customer["id"] in referenced.json()["detail"]
    spare = create_profile(konnect, stripe_app["id"], name="Spare", default=False)
    assert konnect.delete(f"/openmeter/profiles/{spare['id']}").status_code == 204
    assert konnect.delete(f"/openmeter/profiles/{spare['id']}").status_code == 204
    assert konnect.get(f"/openmeter/profiles/{spare['id']}").status_code == 404
    update = konnect.put(f"/openmeter/profiles/{spare['id']}", json=upsert_body(spare))
    assert update.json()["extensions"]["code"] == "profile_already_deleted"


def test_unknown_app_is_refused(konnect: ContractClient) -> None:
    response = konnect.post("/openmeter/profiles", json=profile_body("01J0000000000000000000000A"))
    assert response.status_code == 400


def test_send_invoice_defaults_due_after_and_anchored_alignment_round_trips(
    konnect: ContractClient, stripe_app: dict[str, Any]
) -> None:
    anchored = {
        "type": "anchored",
        "recurring_period": {"anchor": "2025-01-01T00:00:00Z", "interval": "P4W"},
    }
    workflow = {
        "payment": {"collection_method": "send_invoice"},
        "collection": {"alignment": anchored},
    }
    profile = create_profile(konnect, stripe_app["id"], workflow=workflow)
    assert profile["workflow"]["payment"] == {
        "collection_method": "send_invoice",
        "due_after": "P30D",
    }
    assert profile["workflow"]["collection"]["alignment"] == anchored


@pytest.mark.parametrize(
    ("workflow", "field", "rule"),
    [
        ({"payment": {"collection_method": "wire"}}, "workflow.payment.collection_method", "enum"),
        ({"payment": {}}, "workflow.payment.collection_method", "required"),
        (
            {"invoicing": {"subscription_end_proration_mode": "x"}},
            "workflow.invoicing.subscription_end_proration_mode",
            "enum",
        ),
        (
            {
                "collection": {
                    "alignment": {
                        "type": "anchored",
                        "recurring_period": {"anchor": "yesterday", "interval": "P1M"},
                    }
                }
            },
            "workflow.collection.alignment.recurring_period.anchor",
            "is_date_time",
        ),
    ],
)
def test_workflow_validation_names_the_field(
    konnect: ContractClient, stripe_app: dict[str, Any], workflow: Any, field: str, rule: str
) -> None:
    response = konnect.post(
        "/openmeter/profiles",
        json=profile_body(stripe_app["id"], workflow=workflow),
        check_request=False,
    )
    assert response.status_code == 400
    problem = response.json()["invalid_parameters"][0]
    assert (problem["field"], problem["rule"]) == (field, rule)
