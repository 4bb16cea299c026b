"""A customer awaiting checkout in a sandbox world, and the pages read as a browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.chromium import headless_chromium
from tests.e2e.worlds import World

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

SUCCESS = "https://example.test/welcome?session={CHECKOUT_SESSION_ID}"
ADDRESS = {"country": "DE", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117"}
GOOD_CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12 / 34", "card_cvc": "123"}
_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')


def form_token(page: httpx.Response) -> str:
    match = _TOKEN.search(page.text)
    assert match is not None, page.text
    return match[1]


def card_form(**fields: str) -> dict[str, str]:
    """A filled-in card form: a good card, a name and a full address, changed by `fields`."""
    return {**GOOD_CARD, "name": "Ada Lovelace", **ADDRESS, **fields}


@dataclass
class Checkout:
    """A Konnect customer whose checkout session is open, and where its page is."""

    world: World
    customer: dict[str, Any]
    session: dict[str, Any]

    @property
    def path(self) -> str:
        return "/hosted/checkout/" + self.session["session_id"]

    def open(self) -> httpx.Response:
        return self.world.client.get(self.path)

    def submit(self, form: dict[str, str], token: str | None = None) -> httpx.Response:
        """Post the form as the page would, with the page's token unless one is given."""
        token = form_token(self.open()) if token is None else token
        return self.world.client.post(
            self.path, data={**form, "form_token": token}, follow_redirects=False
        )

    def link(self) -> dict[str, Any]:
        billing = self.world.konnect("GET", f"/customers/{self.customer['id']}/billing")
        stripe: dict[str, Any] = billing["app_data"]["stripe"]
        return stripe

    def stripe_customer(self) -> dict[str, Any]:
        customer: dict[str, Any] = self.world.stripe(
            "GET", f"/customers/{self.session['stripe_customer_id']}"
        )
        return customer

    def methods(self) -> list[dict[str, Any]]:
        listed = self.world.stripe(
            "GET", f"/payment_methods?customer={self.session['stripe_customer_id']}"
        )
        methods: list[dict[str, Any]] = listed["data"]
        return methods


def open_checkout(world: World, **options: Any) -> Checkout:
    app = world.stripe_app()
    world.profile(app, "self-serve", default=True)
    customer = world.customer("hooli", name="Hooli", primary_email="pay@hooli.example")
    session = world.konnect(
        "POST",
        f"/customers/{customer['id']}/billing/stripe/checkout-sessions",
        {"stripe_options": {"success_url": SUCCESS, **options}},
    )
    return Checkout(world, customer, session)


@pytest.fixture
def checkout(world: World) -> Checkout:
    """Checkout as `checkout-url` makes it for a profile that charges cards: address required."""
    return open_checkout(world, billing_address_collection="required")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium for a test module; each test opens its own pages."""
    with headless_chromium() as driver:
        yield driver
