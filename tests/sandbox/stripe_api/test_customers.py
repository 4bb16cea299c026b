"""Customers through the official SDK over real HTTP, and their rules on the raw wire."""

from __future__ import annotations

import pytest
import stripe
from starlette.testclient import TestClient

from reconciler.sandbox.stripe_api import world
from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of


def test_create_retrieve_update_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    created = stripe_client.v1.customers.create(
        {
            "name": "ACME Inc.",
            "email": "ap@acme.test",
            "metadata": {"om_customer_id": "01J0", "team": "growth"},
            "address": {"country": "US", "postal_code": "94105"},
        }
    )

    updated = stripe_client.v1.customers.update(
        created.id, {"metadata": {"team": "", "tier": "gold"}, "email": "billing@acme.test"}
    )
    fetched = stripe_client.v1.customers.retrieve(created.id)

    assert created.id.startswith("cus_") and created.object == "customer"
    assert created.livemode is False and created.address.postal_code == "94105"
    assert updated.metadata.to_dict() == {"om_customer_id": "01J0", "tier": "gold"}
    assert fetched.to_dict() == updated.to_dict()
    assert fetched.email == "billing@acme.test" and fetched.name == "ACME Inc."


def test_default_payment_method_must_be_attached(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create({"name": "A"})
    loose = stripe_client.v1.payment_methods.create({"type": "card", "card": {"token": "tok_visa"}})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.customers.update(
            customer.id, {"invoice_settings": {"default_payment_method": loose.id}}
        )
    stripe_client.v1.payment_methods.attach(loose.id, {"customer": customer.id})
    with_default = stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": loose.id}}
    )
    cleared = stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": ""}}
    )

    assert raised.value.http_status == 400
    assert raised.value.param == "invoice_settings[default_payment_method]"
    assert with_default.invoice_settings.default_payment_method == loose.id
    assert cleared.invoice_settings.default_payment_method is None


def test_create_with_a_test_payment_method_as_default(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create(
        {
            "payment_method": "pm_card_mastercard",
            "invoice_settings": {"default_payment_method": "pm_card_mastercard"},
            "expand": ["invoice_settings.default_payment_method"],
        }
    )

    default = customer.invoice_settings.default_payment_method
    assert default.id.startswith("pm_") and default.id != "pm_card_mastercard"
    assert default.card.brand == "mastercard" and default.customer == customer.id


def test_list_pages_newest_first_with_cursors(stripe_client: stripe.StripeClient) -> None:
    ids = [stripe_client.v1.customers.create({"name": f"c{n}"}).id for n in range(5)]

    first = stripe_client.v1.customers.list({"limit": 2})
    walked = [customer.id for customer in first.auto_paging_iter()]
    before = stripe_client.v1.customers.list({"limit": 2, "ending_before": ids[2]})

    assert [customer.id for customer in first.data] == [ids[4], ids[3]] and first.has_more
    assert walked == list(reversed(ids))
    assert [customer.id for customer in before.data] == [ids[4], ids[3]]
    assert before.has_more is False


def test_list_filters_by_exact_email_and_expands(stripe_client: stripe.StripeClient) -> None:
    target = stripe_client.v1.customers.create(
        {"email": "Ops@acme.test", "payment_method": "pm_card_visa"}
    )
    method_id = stripe_client.v1.customers.payment_methods.list(target.id).data[0].id
    stripe_client.v1.customers.update(
        target.id, {"invoice_settings": {"default_payment_method": method_id}}
    )
    stripe_client.v1.customers.create({"email": "ops@acme.test"})

    found = stripe_client.v1.customers.list(
        {"email": "Ops@acme.test", "expand": ["data.invoice_settings.default_payment_method"]}
    )

    assert [customer.id for customer in found.data] == [target.id]
    assert found.data[0].invoice_settings.default_payment_method.card.last4 == "4242"


def test_deleted_customers_leave_a_stub(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create({"email": "gone@acme.test"})

    deleted = stripe_client.v1.customers.delete(customer.id)
    stub = stripe_client.v1.customers.retrieve(customer.id)
    listed = stripe_client.v1.customers.list({"email": "gone@acme.test"})

    assert deleted.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}
    assert stub.to_dict() == deleted.to_dict()
    assert listed.data == []
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.customers.update(customer.id, {"name": "back"})
    assert raised.value.http_status == 404 and raised.value.code == "resource_missing"


def test_limit_above_100_is_a_400_on_limit(raw: StripeHTTP) -> None:
    response = raw.get("/customers", {"limit": "101"})

    assert response.status_code == 400
    assert error_of(response)["param"] == "limit"
    assert error_of(response)["type"] == "invalid_request_error"


def test_unknown_ids_and_cursors_are_resource_missing(raw: StripeHTTP) -> None:
    missing = raw.get("/customers/cus_doesnotexist")
    cursor = raw.get("/customers", {"starting_after": "cus_doesnotexist"})

    assert missing.status_code == 404
    assert error_of(missing) | {"doc_url": None} == {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "param": "id",
        "message": "No such customer: 'cus_doesnotexist'",
        "doc_url": None,
    }
    assert cursor.status_code == 404 and error_of(cursor)["param"] == "starting_after"


def test_unknown_parameters_are_rejected(raw: StripeHTTP) -> None:
    response = raw.post("/customers", {"name": "A", "nickname": "a"})

    assert response.status_code == 400
    assert error_of(response)["code"] == "parameter_unknown"
    assert error_of(response)["param"] == "nickname"


def test_metadata_limits_and_unset_all(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {"metadata[a]": "1", "metadata[b]": "2"}).json()

    too_long = raw.post(f"/customers/{customer['id']}", {f"metadata[{'k' * 41}]": "v"})
    cleared = raw.post(f"/customers/{customer['id']}", {"metadata": ""})

    assert too_long.status_code == 400 and error_of(too_long)["param"].startswith("metadata[")
    assert cleared.json()["metadata"] == {}


def test_empty_string_unsets_a_field(raw: StripeHTTP) -> None:
    customer = raw.post("/customers", {"email": "a@acme.test", "address[country]": "DE"}).json()

    updated = raw.post(f"/customers/{customer['id']}", {"email": "", "address": ""}).json()

    assert customer["address"]["country"] == "DE"
    assert updated["email"] is None and updated["address"] is None


def test_customers_of_another_account_do_not_exist(raw: StripeHTTP) -> None:
    mine = raw.post("/customers", {"name": "mine"}).json()
    other = raw.as_key("sk_live_" + "other" * 4)
    raw.client.post("/_sandbox/stripe/keys", json={"key": "sk_live_" + "other" * 4})

    seen = other.get(f"/customers/{mine['id']}")
    listed = other.get("/customers").json()

    assert seen.status_code == 404 and error_of(seen)["code"] == "resource_missing"
    assert listed["data"] == [] and listed["url"] == "/v1/customers"


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two words@acme.test"])
def test_malformed_emails_are_refused(raw: StripeHTTP, email: str) -> None:
    created = raw.post("/customers", {"email": email})
    customer = raw.post("/customers", {"email": "ok@acme.test"}).json()
    updated = raw.post(f"/customers/{customer['id']}", {"email": email})

    for response in (created, updated):
        assert response.status_code == 400 and error_of(response)["code"] == "email_invalid"


def test_created_ranges_filter_the_list(asgi: TestClient, raw: StripeHTTP) -> None:
    store = asgi.app.state.sandbox.store  # type: ignore[attr-defined]
    ids = []
    for created in (1_000, 2_000, 3_000, 4_000):
        customer_id = raw.post("/customers", {}).json()["id"]
        stored = store.get(world.CUSTOMERS, customer_id)
        store.put(world.CUSTOMERS, customer_id, {**stored, "created": created})
        ids.append(customer_id)

    window = raw.get("/customers", {"created[gte]": "2000", "created[lt]": "4000"}).json()
    first = raw.get("/customers", {"created[gt]": "1000", "limit": "1"}).json()
    second = raw.get(
        "/customers", {"created[gt]": "1000", "limit": "1", "starting_after": ids[3]}
    ).json()
    exact = raw.get("/customers", {"created": "1000"}).json()
    bad = raw.get("/customers", {"created[after]": "1"})

    assert [customer["id"] for customer in window["data"]] == [ids[2], ids[1]]
    assert first["has_more"] and [customer["id"] for customer in first["data"]] == [ids[3]]
    assert [customer["id"] for customer in second["data"]] == [ids[2]] and second["has_more"]
    assert [customer["id"] for customer in exact["data"]] == [ids[0]]
    assert bad.status_code == 400 and error_of(bad)["param"] == "created[after]"
