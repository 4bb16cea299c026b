"""The customer billing link: pinning, effective profile, app data rules, sessions."""

from __future__ import annotations

from typing import Any

from tests.sandbox.konnect_api.conftest import (
    billing_path,
    create_customer,
    create_profile,
    install_sandbox_app,
)
from tests.sandbox.konnect_api.contract import ContractClient

STRIPE_DATA = {"stripe": {"customer_id": "cus_NotCheckedInStripe"}}


def test_get_shows_the_default_profile_when_not_pinned(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    assert konnect.get(billing_path(customer)).json() == {
        "billing_profile": {"id": stripe_profile["id"]}
    }


def test_stripe_ids_are_stored_unchecked_and_labels_only_echoed(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    body = {
        "app_data": {
            "stripe": {
                "customer_id": "cus_Unknown",
                "default_payment_method_id": "pm_1",
                "labels": {"source": "crm"},
            }
        }
    }
    put = konnect.put(billing_path(customer), json=body).json()
    assert put["app_data"]["stripe"]["labels"] == {"source": "crm"}
    got = konnect.get(billing_path(customer)).json()
    assert got["app_data"] == {
        "stripe": {"customer_id": "cus_Unknown", "default_payment_method_id": "pm_1"}
    }


def test_stripe_profile_requires_stripe_data(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    cases = [
        ({}, "app_data.stripe"),
        ({"app_data": {"stripe": {}}}, "stripe.customer_id"),
        (
            {
                "app_data": {
                    "stripe": {"customer_id": "cus_1", "default_payment_method_id": "card_1"}
                }
            },
            "stripe.default_payment_method_id",
        ),
    ]
    for body, field in cases:
        response = konnect.put(billing_path(customer), json=body)
        assert response.status_code == 400
        assert response.json()["invalid_parameters"][0]["field"] == field


def test_pinning_and_filter_by_billing_profile(
    konnect: ContractClient, stripe_app: dict[str, Any], stripe_profile: dict[str, Any]
) -> None:
    other = create_profile(konnect, stripe_app["id"], name="Other", default=False)
    pinned, unpinned = create_customer(konnect, "pinned"), create_customer(konnect, "free")
    konnect.put(
        billing_path(pinned), json={"billing_profile": {"id": other["id"]}, "app_data": STRIPE_DATA}
    )
    konnect.put(billing_path(pinned), json={"app_data": STRIPE_DATA})  # no profile: the pin stays
    assert konnect.get(billing_path(pinned)).json()["billing_profile"] == {"id": other["id"]}
    assert konnect.get(billing_path(unpinned)).json()["billing_profile"] == {
        "id": stripe_profile["id"]
    }
    found = konnect.get(
        "/openmeter/customers", params={"filter[billing_profile_id]": other["id"]}
    ).json()
    assert [c["key"] for c in found["data"]] == ["pinned"]


def test_unknown_profile_is_404(konnect: ContractClient, stripe_profile: dict[str, Any]) -> None:
    customer = create_customer(konnect, "acme")
    body = {"billing_profile": {"id": "01J0000000000000000000000A"}, "app_data": STRIPE_DATA}
    assert konnect.put(billing_path(customer), json=body).status_code == 404


def test_sandbox_profile_ignores_app_data(konnect: ContractClient) -> None:
    app = install_sandbox_app(konnect)
    create_profile(konnect, app["id"])
    customer = create_customer(konnect, "acme")
    assert konnect.put(billing_path(customer), json={"app_data": STRIPE_DATA}).status_code == 200
    assert "app_data" not in konnect.get(billing_path(customer)).json()


def test_app_data_endpoint(konnect: ContractClient, stripe_profile: dict[str, Any]) -> None:
    customer = create_customer(konnect, "acme")
    response = konnect.put(billing_path(customer) + "/app-data", json=STRIPE_DATA)
    assert response.json() == STRIPE_DATA
    assert konnect.get(billing_path(customer)).json()["app_data"] == STRIPE_DATA


def test_deleted_customer_billing_is_410(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    customer = create_customer(konnect, "acme")
    konnect.delete(f"/openmeter/customers/{customer['id']}")
    assert konnect.put(billing_path(customer), json={"app_data": STRIPE_DATA}).status_code == 410
    checkout = konnect.post(
        billing_path(customer) + "/stripe/checkout-sessions", json={"stripe_options": {}}
    )
    assert checkout.status_code == 410
