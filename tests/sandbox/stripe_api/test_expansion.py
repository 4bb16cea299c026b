"""`expand[]` rules: only expandable fields, at most four levels."""

from __future__ import annotations

from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_nested_expansion_through_two_objects(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {"name": "Ada", "payment_method": "pm_card_visa"}).json()
    method = raw.get(f"/customers/{customer['id']}/payment_methods").json()["data"][0]
    raw.post(
        f"/customers/{customer['id']}", {"invoice_settings[default_payment_method]": method["id"]}
    )

    expanded = raw.get(
        f"/customers/{customer['id']}",
        {"expand[]": "invoice_settings.default_payment_method.customer"},
    ).json()

    default = expanded["invoice_settings"]["default_payment_method"]
    assert default["id"] == method["id"] and default["customer"]["name"] == "Ada"


def test_unexpandable_fields_and_depth_are_400(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {}).json()

    unknown = raw.get(f"/customers/{customer['id']}", {"expand[]": "email"})
    too_deep = raw.get(f"/customers/{customer['id']}", {"expand[]": "a.b.c.d.e"})
    list_without_data = raw.get("/customers", {"expand[]": "invoice_settings"})

    for response in (unknown, too_deep, list_without_data):
        assert response.status_code == 400 and error_of(response)["param"] == "expand"
