"""Billing invoices: made by the admin action, listed with the v3 status and customer filters
(every exchange checked against the v3 document), and keeping their app installed while not
final, as the server's `IsAppUsed` rule does."""

from __future__ import annotations

from typing import Any

from tests.sandbox.konnect_api.conftest import create_customer
from tests.sandbox.konnect_api.contract import ContractClient


def invoice(
    konnect: ContractClient, customer: str, profile: str, status: str, number: str
) -> dict[str, Any]:
    response = konnect.client.post(
        "/_sandbox/konnect/invoices",
        json={"customer": customer, "profile": profile, "status": status, "number": number},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def numbers(konnect: ContractClient, **params: str) -> list[str]:
    response = konnect.get("/openmeter/billing/invoices", params=params)
    assert response.status_code == 200, response.text
    return [i["number"] for i in response.json()["data"]]


def test_invoices_are_listed_and_filtered_by_status_and_customer(
    konnect: ContractClient, stripe_profile: dict[str, Any]
) -> None:
    acme = create_customer(konnect, "acme")
    create_customer(konnect, "globex")
    invoice(konnect, "acme", "Stripe", "issued", "INV-1")
    invoice(konnect, "globex", "Stripe", "paid", "INV-2")
    invoice(konnect, "acme", "Stripe", "overdue", "INV-3")
    assert numbers(konnect) == ["INV-1", "INV-2", "INV-3"]
    assert numbers(konnect, **{"filter[status][oeq]": "issued,overdue"}) == ["INV-1", "INV-3"]
    assert numbers(konnect, **{"filter[status]": "paid"}) == ["INV-2"]
    assert numbers(konnect, **{"filter[status][neq]": "paid"}) == ["INV-1", "INV-3"]
    assert numbers(konnect, **{"filter[customer_id]": acme["id"]}) == ["INV-1", "INV-3"]
    [listed] = konnect.get("/openmeter/billing/invoices", params={"filter[status]": "paid"}).json()[
        "data"
    ]
    assert listed["workflow"]["source_billing_profile"] == {"id": stripe_profile["id"]}
    assert listed["workflow"]["apps"]["invoicing"] == stripe_profile["apps"]["invoicing"]


def test_an_unknown_filter_is_refused(konnect: ContractClient) -> None:
    response = konnect.get(
        "/openmeter/billing/invoices", params={"filter[plan]": "x"}, check_request=False
    )
    assert response.status_code == 400


def test_an_app_with_invoices_in_flight_is_not_uninstalled(
    konnect: ContractClient, stripe_app: dict[str, Any], stripe_profile: dict[str, Any]
) -> None:
    create_customer(konnect, "acme")
    kept = invoice(konnect, "acme", "Stripe", "payment_processing", "INV-9")
    invoice(konnect, "acme", "Stripe", "draft", "INV-10")  # drafts do not count
    invoice(konnect, "acme", "Stripe", "voided", "INV-11")
    response = konnect.delete(f"/openmeter/apps/{stripe_app['id']}")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"app is used in 1 non-finalized invoices: INV-9[{kept['id']}]"
    )
    assert konnect.get(f"/openmeter/apps/{stripe_app['id']}").status_code == 200
