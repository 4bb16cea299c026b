"""Reading the customer links: the customer list, page by page, at the HTTP seam where a list
that moves while it is read can be arranged."""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.clients.konnect import KonnectClient
from reconciler.core.kind import Sources
from reconciler.core.stripe_facts import StripeAccounts
from reconciler.kinds.customer_billing.reading import read_links

CUSTOMERS = "/v3/openmeter/customers"


def customer(number: int) -> dict[str, Any]:
    return {"id": f"cus{number:05d}", "key": f"customer-{number}", "name": f"C {number}"}


def test_a_customer_pushed_onto_the_next_page_while_reading_is_one_link() -> None:
    before = [customer(n) for n in range(150)]
    # Five customers created after page 1 was read, sorted before its end: its last five
    # are on page 2 now.
    after = before[:95] + [customer(n) for n in range(9000, 9005)] + before[95:]

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == CUSTOMERS, request.url
        number = int(request.url.params["page[number]"])
        listed = before if number == 1 else after
        data = listed[(number - 1) * 100 : number * 100]
        return httpx.Response(200, json={"data": data, "meta": {"page": {"total": len(listed)}}})

    transport = httpx.MockTransport(answer)
    konnect = KonnectClient("https://konnect.test/v3", "token", transport=transport)
    with konnect, StripeAccounts({}) as stripe:
        links = read_links(Sources(konnect, stripe, concurrency=4), lambda _: False, pins=False)
    # Page 1 as it was, page 2 as it is now without the five it took over from page 1 (the
    # five new customers are on page 1 now: the next plan's).
    assert [link.key for link in links] == [c["key"] for c in before]
