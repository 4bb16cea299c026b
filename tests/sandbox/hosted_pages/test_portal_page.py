"""The hosted portal page over HTTP: the customer's cards, a new default, a new card."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api.world import PORTAL_PAGE_PATH
from tests.e2e.worlds import World
from tests.sandbox.hosted_pages.conftest import card_form, form_token, open_checkout


@dataclass
class Portal:
    world: World
    customer_id: str
    first: str
    second: str
    url: str

    @property
    def path(self) -> str:
        return self.url.removeprefix("http://sandbox.test")

    def post(self, action: str, form: dict[str, str], token: str | None = None) -> httpx.Response:
        token = form_token(self.world.client.get(self.path)) if token is None else token
        return self.world.client.post(
            f"{self.path}/{action}", data={**form, "form_token": token}, follow_redirects=False
        )

    def default(self) -> str | None:
        customer = self.world.stripe("GET", f"/customers/{self.customer_id}")
        default: str | None = customer["invoice_settings"]["default_payment_method"]
        return default

    def methods(self) -> list[dict[str, Any]]:
        listed = self.world.stripe("GET", f"/payment_methods?customer={self.customer_id}")
        methods: list[dict[str, Any]] = listed["data"]
        return methods


@pytest.fixture
def portal(world: World) -> Portal:
    customer_id = world.stripe_customer(name="<b>Globex & Co</b>")
    first = world.card(customer_id)
    second = world.card(customer_id, invoice_default=False, expiry=(3, 2031))
    session = world.stripe(
        "POST",
        "/billing_portal/sessions",
        {"customer": customer_id, "return_url": "https://example.test/account"},
    )
    return Portal(world, customer_id, first, second, session["url"])


def test_the_page_lists_the_cards_and_marks_the_default(portal: Portal) -> None:
    page = portal.world.client.get(portal.path)

    assert page.status_code == 200
    assert portal.url == "http://sandbox.test" + PORTAL_PAGE_PATH + portal.url.rsplit("/", 1)[1]
    first = page.text[page.text.index(f'<tr id="{portal.first}">') :].split("</tr>")[0]
    second = page.text[page.text.index(f'<tr id="{portal.second}">') :].split("</tr>")[0]
    assert "Visa •••• 4242, expires 12/2034" in first and "Default" in first
    assert "expires 03/2031" in second and "Make default" in second
    assert "&lt;b&gt;Globex &amp; Co&lt;/b&gt;" in page.text and "<b>Globex" not in page.text
    assert 'href="https://example.test/account"' in page.text


def test_make_default_changes_the_stripe_invoice_default(portal: Portal) -> None:
    done = portal.post("default", {"payment_method": portal.second})

    assert done.status_code == 303 and done.headers["location"] == portal.path
    assert portal.default() == portal.second


def test_a_card_of_another_customer_cannot_be_made_default(portal: Portal) -> None:
    other = portal.world.stripe_customer()
    foreign = portal.world.card(other)

    refused = portal.post("default", {"payment_method": foreign})

    assert refused.status_code == 400 and "not one of yours" in refused.text
    assert portal.default() == portal.first


def test_an_added_card_becomes_the_default(portal: Portal) -> None:
    done = portal.post("cards", card_form(card_number="5555 5555 5555 4444"))

    assert done.status_code == 303
    added = [m for m in portal.methods() if m["id"] not in (portal.first, portal.second)]
    assert [m["card"]["last4"] for m in added] == ["4444"]
    assert portal.default() == added[0]["id"]


def test_a_declined_card_is_not_added(portal: Portal) -> None:
    declined = portal.post("cards", card_form(card_number="4000000000009995"))

    assert declined.status_code == 402 and "Your card has insufficient funds." in declined.text
    assert len(portal.methods()) == 2 and portal.default() == portal.first


def test_posts_need_the_page_token(portal: Portal) -> None:
    assert portal.post("default", {"payment_method": portal.second}, token="").status_code == 403
    assert portal.post("cards", card_form(), token="f" * 64).status_code == 403
    assert portal.default() == portal.first


def test_a_token_of_another_session_is_refused(portal: Portal) -> None:
    other = portal.world.stripe(
        "POST", "/billing_portal/sessions", {"customer": portal.customer_id}
    )
    other_token = form_token(portal.world.client.get(other["url"]))

    refused = portal.post("default", {"payment_method": portal.second}, token=other_token)

    assert refused.status_code == 403


def test_unknown_sessions_and_deleted_customers(portal: Portal) -> None:
    assert portal.world.client.get(PORTAL_PAGE_PATH + "bps_nothing").status_code == 404
    portal.world.stripe("DELETE", f"/customers/{portal.customer_id}")

    assert portal.world.client.get(portal.path).status_code == 410


def test_the_page_is_served_only_on_the_host_its_url_names(portal: Portal) -> None:
    elsewhere = portal.world.client.get(portal.path, headers={"host": "rebound.example"})

    assert elsewhere.status_code == 404 and "Visa" not in elsewhere.text


def test_the_pages_read_and_write_the_store_off_the_event_loop(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As the APIs' handlers do: a page's SQLite work holds up no other request.
    on_the_loop: list[bool] = []
    for name in ("get", "find", "put"):
        monkeypatch.setattr(Store, name, _watched(getattr(Store, name), on_the_loop))
    assert portal.world.client.get(portal.path).status_code == 200
    assert portal.post("default", {"payment_method": portal.second}).status_code == 303
    checkout = open_checkout(portal.world)
    assert checkout.submit(card_form()).status_code == 303
    assert on_the_loop, "no store call was watched"
    assert not any(on_the_loop)


def _watched(method: Callable[..., Any], on_the_loop: list[bool]) -> Callable[..., Any]:
    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            on_the_loop.append(True)
        except RuntimeError:
            on_the_loop.append(False)
        return method(*args, **kwargs)

    return watched
