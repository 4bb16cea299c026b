"""Customers: create/list/get, update-only PUT with immutable key, conflicts, soft delete."""

from __future__ import annotations

from tests.sandbox.konnect_api.conftest import create_customer
from tests.sandbox.konnect_api.contract import ContractClient


def test_create_and_get(konnect: ContractClient) -> None:
    created = create_customer(
        konnect,
        "acme",
        primary_email="billing@acme.test",
        currency="USD",
        billing_address={"country": "DE", "city": "Berlin"},
        usage_attribution={"subject_keys": ["acme-subject"]},
        labels={"tier": "gold"},
    )
    assert created["key"] == "acme"
    assert created["labels"] == {"tier": "gold"}
    assert konnect.get(f"/openmeter/customers/{created['id']}").json() == created


def test_duplicate_key_and_subject_key_conflict(konnect: ContractClient) -> None:
    create_customer(konnect, "acme", usage_attribution={"subject_keys": ["s1"]})
    same_key = konnect.post("/openmeter/customers", json={"name": "Other", "key": "acme"})
    assert same_key.status_code == 409
    same_subject = konnect.post(
        "/openmeter/customers",
        json={"name": "Other", "key": "other", "usage_attribution": {"subject_keys": ["s1"]}},
    )
    assert same_subject.status_code == 409


def test_put_is_full_replacement_and_keeps_the_key(konnect: ContractClient) -> None:
    created = create_customer(konnect, "acme", primary_email="a@acme.test", currency="EUR")
    path = f"/openmeter/customers/{created['id']}"
    updated = konnect.put(path, json={"name": "Acme GmbH"}).json()
    assert updated["key"] == "acme"
    assert updated["name"] == "Acme GmbH"
    assert "primary_email" not in updated and "currency" not in updated
    with_key = konnect.put(path, json={"name": "x", "key": "changed"}, check_request=False)
    assert with_key.status_code == 400
    assert with_key.json()["invalid_parameters"][0] == {
        "field": "key",
        "reason": "Extra inputs are not permitted",
        "rule": "unknown_property",
        "source": "body",
    }


def test_put_does_not_create(konnect: ContractClient) -> None:
    response = konnect.put("/openmeter/customers/01J0000000000000000000000A", json={"name": "x"})
    assert response.status_code == 404


def test_subject_keys_move_with_updates(konnect: ContractClient) -> None:
    first = create_customer(konnect, "first", usage_attribution={"subject_keys": ["s1"]})
    konnect.put(f"/openmeter/customers/{first['id']}", json={"name": "First"})
    second = create_customer(konnect, "second", usage_attribution={"subject_keys": ["s1"]})
    assert second["usage_attribution"] == {"subject_keys": ["s1"]}


def test_soft_delete_then_410_and_key_reuse(konnect: ContractClient) -> None:
    created = create_customer(konnect, "acme")
    path = f"/openmeter/customers/{created['id']}"
    assert konnect.delete(path).status_code == 204
    assert konnect.get(path).json()["deleted_at"]
    assert konnect.put(path, json={"name": "again"}).status_code == 410
    assert konnect.get("/openmeter/customers").json()["meta"]["page"]["total"] == 0
    create_customer(konnect, "acme")


def test_list_filter_by_key_and_sort(konnect: ContractClient) -> None:
    for key in ("bravo", "alpha", "charlie"):
        create_customer(konnect, key, primary_email=f"{key}@example.test")
    by_name = [c["key"] for c in konnect.get("/openmeter/customers").json()["data"]]
    assert by_name == ["alpha", "bravo", "charlie"]
    newest_first = konnect.get("/openmeter/customers", params={"sort": "created_at desc"}).json()
    assert [c["key"] for c in newest_first["data"]] == ["charlie", "alpha", "bravo"]
    exact = konnect.get("/openmeter/customers", params={"filter[key]": "bravo"}).json()
    assert [c["key"] for c in exact["data"]] == ["bravo"]
    assert exact["meta"]["page"]["total"] == 1
    contains = konnect.get(
        "/openmeter/customers",
        params={"filter[primary_email][contains]": "ALPHA"},
        check_request=False,
    ).json()
    assert [c["key"] for c in contains["data"]] == ["alpha"]
    bad_sort = konnect.get("/openmeter/customers", params={"sort": "email"})
    assert bad_sort.status_code == 400


def test_pagination(konnect: ContractClient) -> None:
    for index in range(5):
        create_customer(konnect, f"c{index}")
    page = konnect.get("/openmeter/customers", params={"page[size]": 2, "page[number]": 3}).json()
    assert [c["key"] for c in page["data"]] == ["c4"]
    assert page["meta"]["page"] == {"number": 3, "size": 2, "total": 5}


def test_page_size_above_the_maximum_is_400(konnect: ContractClient) -> None:
    response = konnect.get("/openmeter/customers", params={"page[size]": 101})
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0] == {
        "field": "page[size]",
        "reason": "must be at most 100",
        "source": "query",
        "rule": "max",
        "maximum": 100,
    }


def test_validation_errors_name_field_and_rule(konnect: ContractClient) -> None:
    response = konnect.post(
        "/openmeter/customers",
        json={"name": "", "key": "k", "currency": "usd"},
        check_request=False,
    )
    problems = {p["field"]: p for p in response.json()["invalid_parameters"]}
    assert problems["name"]["rule"] == "min_length" and problems["name"]["minimum"] == 1
    assert problems["currency"]["rule"] == "matches_regex"
    missing = konnect.post("/openmeter/customers", json={"name": "x"}, check_request=False)
    assert missing.json()["invalid_parameters"][0]["rule"] == "required"


def test_bad_filters_and_pages_are_400(konnect: ContractClient) -> None:
    for params in (
        {"filter[billing_profile_id]": "not-a-ulid"},
        {"filter[colour]": "red"},
        {"filter[key][regex]": "a.*"},
        {"page[number]": "0"},
        {"page[size]": "many"},
    ):
        response = konnect.get("/openmeter/customers", params=params, check_request=False)
        assert response.status_code == 400, params
        assert response.json()["invalid_parameters"][0]["source"] == "query"


def test_subject_key_filter(konnect: ContractClient) -> None:
    create_customer(konnect, "acme", usage_attribution={"subject_keys": ["s-acme", "s-other"]})
    create_customer(konnect, "beta", usage_attribution={"subject_keys": ["s-beta"]})
    found = konnect.get(
        "/openmeter/customers", params={"filter[usage_attribution_subject_key]": "s-other"}
    ).json()
    assert [c["key"] for c in found["data"]] == ["acme"]


def test_explicit_null_is_refused(konnect: ContractClient) -> None:
    response = konnect.post(
        "/openmeter/customers",
        json={"name": "x", "key": "k", "primary_email": None},
        check_request=False,
    )
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["field"] == "primary_email"


def test_sort_by_id_follows_creation(konnect: ContractClient) -> None:
    created = [create_customer(konnect, key)["id"] for key in ("zulu", "alpha", "mike")]
    listed = konnect.get("/openmeter/customers", params={"sort": "id desc"}).json()["data"]
    assert [c["id"] for c in listed] == sorted(created, reverse=True)


def test_description_is_stored_and_replaced(konnect: ContractClient) -> None:
    created = create_customer(konnect, "acme", description="Key account")
    assert created["description"] == "Key account"
    updated = konnect.put(f"/openmeter/customers/{created['id']}", json={"name": "Acme"}).json()
    assert "description" not in updated
