"""The hosted checkout page over HTTP: what it shows, what it accepts, what a card does."""

from __future__ import annotations

import pytest

from reconciler.sandbox.stripe_api.world import CHECKOUT_PAGE_PATH
from tests.e2e.worlds import World
from tests.sandbox.hosted_pages.conftest import Checkout, card_form, form_token, open_checkout


def test_the_session_url_opens_the_page_on_the_sandbox_host(checkout: Checkout) -> None:
    page = checkout.open()

    assert checkout.session["url"] == "http://sandbox.test" + checkout.path
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "pay@hooli.example" in page.text and 'name="card_number"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_test_card_completes_the_session_as_the_customer_finishing_checkout(
    checkout: Checkout,
) -> None:
    done = checkout.submit(card_form(tax_id_type="eu_vat", tax_id_value="de 123 456 789"))

    session_id = checkout.session["session_id"]
    assert done.status_code == 303
    assert done.headers["location"] == f"https://example.test/welcome?session={session_id}"
    [method] = checkout.methods()
    assert checkout.link() == {
        "customer_id": checkout.session["stripe_customer_id"],
        "default_payment_method_id": method["id"],
    }
    assert checkout.stripe_customer()["invoice_settings"]["default_payment_method"] == method["id"]
    assert (method["card"]["brand"], method["card"]["last4"]) == ("visa", "4242")
    assert (method["card"]["exp_month"], method["card"]["exp_year"]) == (12, 2034)
    assert method["billing_details"]["name"] == "Ada Lovelace"
    assert method["billing_details"]["address"]["city"] == "Berlin"
    stored = checkout.world.stripe("GET", f"/checkout/sessions/{session_id}")
    assert stored["status"] == "complete"
    assert stored["customer_details"]["tax_ids"] == [{"type": "eu_vat", "value": "DE123456789"}]
    assert checkout.open().status_code == 410


def test_a_session_that_saves_nothing_leaves_the_stripe_customer_as_it_was(
    world: World,
) -> None:
    kept = open_checkout(world)
    kept.submit(card_form(tax_id_type="eu_vat", tax_id_value="DE123456789"))

    customer = kept.stripe_customer()
    assert (customer["name"], customer.get("address")) == ("Hooli", None)
    tax_ids = world.stripe("GET", f"/customers/{customer['id']}/tax_ids")
    assert tax_ids["data"] == []


def test_a_session_that_saves_the_details_saves_what_the_page_took(world: World) -> None:
    checkout = open_checkout(
        world,
        customer_update={"address": "auto", "name": "auto"},
        tax_id_collection={"enabled": True},
    )
    checkout.submit(card_form(tax_id_type="eu_vat", tax_id_value="DE123456789"))

    customer = checkout.stripe_customer()
    assert customer["name"] == "Ada Lovelace"
    assert (customer["address"]["city"], customer["address"]["country"]) == ("Berlin", "DE")
    tax_ids = world.stripe("GET", f"/customers/{customer['id']}/tax_ids")
    assert [(t["type"], t["value"]) for t in tax_ids["data"]] == [("eu_vat", "DE123456789")]


def test_another_brand_is_saved_as_that_brand(checkout: Checkout) -> None:
    checkout.submit(card_form(card_number="5555555555554444"))

    [method] = checkout.methods()
    assert (method["card"]["brand"], method["card"]["last4"]) == ("mastercard", "4444")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000000000000002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
        ("4000000000009987", "Your card was declined."),
        ("4000000000000069", "Your card has expired."),
        ("4000000000000127", "Your card&#x27;s security code is incorrect."),
        ("4000000000000119", "An error occurred while processing your card."),
        ("4111111111111111", "but used a non test (live) card"),
    ],
)
def test_decline_numbers_are_declined_as_stripe_declines_them_and_save_nothing(
    checkout: Checkout, number: str, message: str
) -> None:
    declined = checkout.submit(card_form(card_number=number))

    assert declined.status_code == 402
    assert message in declined.text
    assert checkout.methods() == []
    assert "default_payment_method_id" not in checkout.link()
    assert checkout.open().status_code == 200  # still open: another card may be tried


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"card_number": ""}, "card_number", "Your card number is incomplete."),
        ({"card_number": "4242 4242 4242"}, "card_number", "Your card number is incomplete."),
        ({"card_number": "4242424242424241"}, "card_number", "Your card number is invalid."),
        ({"card_number": "4242abcd42424242"}, "card_number", "Your card number is invalid."),
        ({"card_expiry": "1234"}, "card_expiry", "Your card&#x27;s expiration date is incomplete."),
        ({"card_expiry": "13 / 34"}, "card_expiry", "Your card&#x27;s expiration date is invalid."),
        (
            {"card_expiry": "01 / 20"},
            "card_expiry",
            "Your card&#x27;s expiration year is in the past.",
        ),
        ({"card_cvc": "12"}, "card_cvc", "Your card&#x27;s security code is incomplete."),
        ({"name": " "}, "name", "Required."),
        ({"country": "Germany"}, "country", "Enter a two-letter country code, such as US."),
        ({"line1": ""}, "line1", "Required."),
        ({"postal_code": ""}, "postal_code", "Required."),
        (
            {"tax_id_type": "eu_vat", "tax_id_value": "123"},
            "tax_id_value",
            "Invalid value for eu_vat.",
        ),
        (
            {"tax_id_type": "xx_vat", "tax_id_value": "1"},
            "tax_id_value",
            "Choose the type of the tax ID.",
        ),
    ],
)
def test_a_form_with_a_field_to_fix_says_which_and_saves_nothing(
    checkout: Checkout, fields: dict[str, str], field: str, message: str
) -> None:
    rejected = checkout.submit(card_form(**fields))

    assert rejected.status_code == 400
    assert f'<span class="error" id="{field}-error">{message}</span>' in rejected.text
    assert checkout.methods() == []


def test_the_address_is_optional_unless_the_session_requires_it(world: World) -> None:
    checkout = open_checkout(world)

    done = checkout.submit(card_form(line1="", city="", postal_code=""))

    assert done.status_code == 303
    [method] = checkout.methods()
    assert method["billing_details"]["address"]["country"] == "DE"
    assert method["billing_details"]["address"]["line1"] is None


def test_entered_values_come_back_escaped_and_the_card_never_does(checkout: Checkout) -> None:
    rejected = checkout.submit(
        card_form(name='<script>alert("x")</script>', city='"><img src=x>', card_cvc="1")
    )

    assert "<script>alert" not in rejected.text and "<img src=x>" not in rejected.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rejected.text
    assert 'value="&quot;&gt;&lt;img src=x&gt;"' in rejected.text
    assert "4242 4242 4242 4242" not in rejected.text


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        ("", {}),
        ("0" * 64, {}),
        (None, {"Origin": "https://attacker.example"}),
    ],
)
def test_a_post_without_the_page_token_or_from_another_site_is_refused(
    checkout: Checkout, token: str | None, headers: dict[str, str]
) -> None:
    token = form_token(checkout.open()) if token is None else token
    refused = checkout.world.client.post(
        checkout.path, data={**card_form(), "form_token": token}, headers=headers
    )

    assert refused.status_code == 403
    assert checkout.methods() == []


def test_a_post_from_the_page_itself_is_accepted(checkout: Checkout) -> None:
    token = form_token(checkout.open())
    done = checkout.world.client.post(
        checkout.path,
        data={**card_form(), "form_token": token},
        headers={"Origin": "http://sandbox.test"},
        follow_redirects=False,
    )

    assert done.status_code == 303


def test_pages_of_unknown_embedded_and_expired_sessions(checkout: Checkout) -> None:
    world = checkout.world
    unknown = world.client.get(CHECKOUT_PAGE_PATH + "cs_test_nothing")
    embedded = world.konnect(
        "POST",
        f"/customers/{checkout.customer['id']}/billing/stripe/checkout-sessions",
        {"stripe_options": {"ui_mode": "embedded", "return_url": "https://example.test"}},
    )
    world.admin(
        "PATCH",
        f"/collections/stripe.checkout_sessions/{checkout.session['session_id']}",
        {"expires_at": 1},
    )

    assert unknown.status_code == 404
    assert world.client.get(CHECKOUT_PAGE_PATH + embedded["session_id"]).status_code == 404
    expired = checkout.open()
    assert expired.status_code == 410 and "expired" in expired.text
    assert checkout.submit(card_form(), token="x").status_code == 410


def test_a_success_url_that_is_not_a_web_address_is_not_followed(world: World) -> None:
    checkout = open_checkout(world, success_url="javascript:alert(1)", cancel_url="data:,x")

    assert "data:,x" not in checkout.open().text
    done = checkout.submit(card_form())

    assert done.status_code == 200 and "Your card was saved" in done.text


def test_the_page_is_served_only_on_the_host_its_url_names(checkout: Checkout) -> None:
    elsewhere = checkout.world.client.get(checkout.path, headers={"host": "rebound.example"})
    posted = checkout.world.client.post(
        checkout.path, data=card_form(), headers={"host": "rebound.example"}
    )

    assert (elsewhere.status_code, posted.status_code) == (404, 404)
    assert "form_token" not in elsewhere.text
    assert checkout.methods() == []
