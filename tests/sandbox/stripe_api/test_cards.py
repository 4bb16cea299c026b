"""Typed card numbers: Stripe's test cards, its decline numbers, and everything else."""

from __future__ import annotations

import pytest

from reconciler.sandbox.stripe_api.cards import (
    DECLINING_NUMBERS,
    LIVE_CARD_IN_TEST_MODE,
    SUCCEEDING_NUMBERS,
    TEST_CARD_IN_LIVE_MODE,
    TEST_CARDS,
    Decline,
    card_for_number,
    passes_luhn,
)


@pytest.mark.parametrize("number", [*SUCCEEDING_NUMBERS, *DECLINING_NUMBERS])
def test_every_test_number_has_a_valid_check_digit_and_the_last_four_of_its_card(
    number: str,
) -> None:
    card = card_for_number(number, livemode=False)

    assert passes_luhn(number)
    assert isinstance(card, Decline) or card.last4 == number[-4:]


def test_test_mode_saves_test_cards_and_declines_decline_numbers_and_real_cards() -> None:
    assert card_for_number("4242424242424242", livemode=False) == TEST_CARDS["visa"]
    declined = card_for_number("4000000000009995", livemode=False)
    assert isinstance(declined, Decline) and declined.decline_code == "insufficient_funds"
    assert card_for_number("4111111111111111", livemode=False) == LIVE_CARD_IN_TEST_MODE


def test_live_mode_declines_every_number() -> None:
    assert card_for_number("4242424242424242", livemode=True) == TEST_CARD_IN_LIVE_MODE
    assert card_for_number("4000000000000002", livemode=True) == TEST_CARD_IN_LIVE_MODE
    real = card_for_number("4111111111111111", livemode=True)
    assert isinstance(real, Decline) and real.code == "card_declined"


@pytest.mark.parametrize("number", ["4242424242424241", "4242424242424243", "1234567812345678"])
def test_a_wrong_check_digit_fails_luhn(number: str) -> None:
    assert not passes_luhn(number)
