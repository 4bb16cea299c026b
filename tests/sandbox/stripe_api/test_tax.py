"""Tax codes catalogue and the tax settings singleton."""

from __future__ import annotations

import stripe

from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of

REQUIRED_CODES = {
    "txcd_00000000",
    "txcd_10000000",
    "txcd_10103000",
    "txcd_10103001",
    "txcd_20030000",
    "txcd_99999999",
}


def test_the_catalogue_pages_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    first = stripe_client.v1.tax_codes.list({"limit": 10})
    codes = list(first.auto_paging_iter())

    assert first.has_more and len(first.data) == 10
    assert len(codes) >= 40 and len({code.id for code in codes}) == len(codes)
    assert {code.id for code in codes} >= REQUIRED_CODES
    assert all(code.object == "tax_code" and code.name for code in codes)


def test_retrieve_one_code(stripe_client: stripe.StripeClient) -> None:
    code = stripe_client.v1.tax_codes.retrieve("txcd_10103001")

    assert code.name == "Software as a service (SaaS) - business use"


def test_unknown_code_is_resource_missing(raw: StripeHTTP) -> None:
    response = raw.get("/tax_codes/txcd_12345678")

    assert response.status_code == 404 and error_of(response)["code"] == "resource_missing"


def test_backward_paging_over_the_catalogue(raw: StripeHTTP) -> None:
    page = raw.get("/tax_codes", {"limit": 3, "starting_after": "txcd_10000000"}).json()

    back = raw.get("/tax_codes", {"limit": 3, "ending_before": page["data"][0]["id"]}).json()

    assert [code["id"] for code in back["data"]][-1] == "txcd_10000000"
    assert back["has_more"] is False


def test_settings_are_active_by_default(stripe_client: stripe.StripeClient) -> None:
    settings = stripe_client.v1.tax.settings.retrieve()

    assert settings.object == "tax.settings" and settings.status == "active"
    assert settings.status_details.to_dict() == {"active": {}}
    assert settings.head_office.address.country == "US"
    assert "id" not in settings


def test_settings_update(stripe_client: stripe.StripeClient) -> None:
    updated = stripe_client.v1.tax.settings.update(
        {
            "defaults": {"tax_behavior": "exclusive", "tax_code": "txcd_10103001"},
            "head_office": {"address": {"country": "DE", "city": "Berlin"}},
        }
    )

    again = stripe_client.v1.tax.settings.retrieve()

    assert updated.defaults.to_dict() == {"tax_behavior": "exclusive", "tax_code": "txcd_10103001"}
    assert again.head_office.address.country == "DE" and again.status == "active"


def test_settings_refuse_unknown_codes_and_behaviours(raw: StripeHTTP) -> None:
    code = raw.post("/tax/settings", {"defaults[tax_code]": "txcd_00000001"})
    behaviour = raw.post("/tax/settings", {"defaults[tax_behavior]": "sometimes"})

    assert code.status_code == 400 and error_of(code)["param"] == "defaults[tax_code]"
    assert behaviour.status_code == 400
