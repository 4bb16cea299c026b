"""Customer search: the query language reconcile may use, and its pages."""

from __future__ import annotations

import pytest
import stripe

from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of
from tests.sandbox.stripe_api.stripe_spec import violations


@pytest.fixture
def acme_ids(raw: StripeHTTP) -> list[str]:
    return [
        raw.post("/customers", form).json()["id"]
        for form in (
            {"name": "ACME Inc.", "email": "ap@acme.test", "metadata[om_customer_id]": "01J1"},
            {"name": "Acme Labs", "email": "labs@acme.test", "metadata[om_customer_id]": "01J2"},
            {"name": "Globex", "email": "ap@globex.test"},
        )
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("email:'ap@acme.test'", [0]),
        ("metadata['om_customer_id']:'01J2'", [1]),
        ("name~'acme'", [1, 0]),
        ("name~'acme' AND -email:'ap@acme.test'", [1]),
        ("email:'ap@globex.test' OR metadata['om_customer_id']:'01J1'", [2, 0]),
        ("created>0", [2, 1, 0]),
    ],
)
def test_queries_find_their_customers_newest_first(
    raw: StripeHTTP, acme_ids: list[str], query: str, expected: list[int]
) -> None:
    result = raw.get("/customers/search", {"query": query}).json()

    assert [customer["id"] for customer in result["data"]] == [acme_ids[i] for i in expected]
    assert result["object"] == "search_result" and result["url"] == "/v1/customers/search"
    assert not violations("customer", result["data"][0])


@pytest.mark.parametrize(
    "query", ["name~'ac'", "email:'a' AND name:'b' OR phone:'c'", "nickname:'x'", "name>3", "?"]
)
def test_bad_queries_are_400_on_query(raw: StripeHTTP, query: str) -> None:
    response = raw.get("/customers/search", {"query": query})

    assert response.status_code == 400 and error_of(response)["param"] == "query"


def test_the_sdk_pages_search_results(
    stripe_client: stripe.StripeClient,
) -> None:
    created = {
        stripe_client.v1.customers.create({"name": f"Tenant {n}", "metadata": {"t": "y"}}).id
        for n in range(3)
    }
    deleted = stripe_client.v1.customers.create({"name": "Tenant gone", "metadata": {"t": "y"}})
    stripe_client.v1.customers.delete(deleted.id)

    first = stripe_client.v1.customers.search(
        {"query": "metadata['t']:'y'", "limit": 2, "expand": ["total_count"]}
    )
    everything = {customer.id for customer in first.auto_paging_iter()}

    assert first.has_more and first.next_page and first.total_count == 3
    assert everything == created
