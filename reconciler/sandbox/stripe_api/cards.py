"""Stripe's test card tokens and the card details each one stands for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TestCard:
    brand: str
    last4: str
    funding: str
    country: str
    fingerprint: str


# Tokens from Stripe's testing docs; `pm_card_*` are the matching test payment method ids.
TEST_CARDS: dict[str, TestCard] = {
    "visa": TestCard("visa", "4242", "credit", "US", "Xt5EWLLDS7FJjR1c"),
    "visa_debit": TestCard("visa", "5556", "debit", "US", "Wq2LmNcUX0pQbQ4z"),
    "mastercard": TestCard("mastercard", "4444", "credit", "US", "G3k0nVRr7dYtfh8u"),
    "mastercard_debit": TestCard("mastercard", "8210", "debit", "US", "pQ1xRm2t8YvLz3Ns"),
    "amex": TestCard("amex", "8431", "credit", "US", "Hf5Jt2Ya9LwNq0Pe"),
    "discover": TestCard("discover", "1117", "credit", "US", "Zr8Bn4Vc1XmKq6Ts"),
    "jcb": TestCard("jcb", "0505", "credit", "JP", "Lm3Qw9Er5Ty1Ui7O"),
    "unionpay": TestCard("unionpay", "0005", "credit", "CN", "Ap0Sd6Fg2Hj8Kl4Z"),
    "de": TestCard("visa", "3184", "credit", "DE", "Xc7Vb3Nm9Qw5Er1T"),
    "gb": TestCard("visa", "0003", "credit", "GB", "Yu2Io8Pa4Sd0Fg6H"),
}
DEFAULT_EXPIRY = (12, 2034)


@dataclass(frozen=True)
class Decline:
    """Why Stripe refuses a card, as its card error carries it."""

    code: str
    decline_code: str | None
    message: str


# Numbers a customer types into hosted checkout, from Stripe's testing docs: those that
# succeed (the card each stands for) and those declined as Stripe declines them.
SUCCEEDING_NUMBERS: dict[str, str] = {
    "4242424242424242": "visa",
    "4000056655665556": "visa_debit",
    "5555555555554444": "mastercard",
    "5200828282828210": "mastercard_debit",
    "371449635398431": "amex",
    "6011111111111117": "discover",
    "3566002020360505": "jcb",
    "6200000000000005": "unionpay",
}
_DECLINED = "Your card was declined."
DECLINING_NUMBERS: dict[str, Decline] = {
    "4000000000000002": Decline("card_declined", "generic_decline", _DECLINED),
    "4000000000009995": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": Decline("card_declined", "lost_card", _DECLINED),
    "4000000000009979": Decline("card_declined", "stolen_card", _DECLINED),
    "4100000000000019": Decline("card_declined", "fraudulent", _DECLINED),
    "4000000000006975": Decline(
        "card_declined",
        "card_velocity_exceeded",
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit.",
    ),
    "4000000000000069": Decline("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000000000000119": Decline(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
LIVE_CARD_IN_TEST_MODE = Decline(
    "card_declined",
    "test_mode_live_card",
    "Your card was declined. Your request was in test mode, but used a non test (live) card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing.",
)
TEST_CARD_IN_LIVE_MODE = Decline(
    "card_declined",
    "live_mode_test_card",
    "Your card was declined. Your request was in live mode, but used a known test card.",
)


def card_for_token(token: str) -> TestCard | None:
    """The card of `tok_visa`, `pm_card_visa` and friends; None for anything else."""
    for prefix in ("tok_", "pm_card_"):
        if token.startswith(prefix):
            return TEST_CARDS.get(token.removeprefix(prefix))
    return None


def card_details(card: TestCard, exp_month: int, exp_year: int) -> dict[str, Any]:
    """The `card` hash of a payment method as Stripe renders it."""
    return {
        "brand": card.brand,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "pass",
        },
        "country": card.country,
        "display_brand": card.brand,
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": card.fingerprint,
        "funding": card.funding,
        "generated_from": None,
        "last4": card.last4,
        "networks": {"available": [card.brand], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }


def card_for_number(number: str, *, livemode: bool) -> TestCard | Decline:
    """The card a typed number stands for, or how Stripe declines it. Any other number is a
    real card: test mode declines it, and the sandbox takes none in live mode either."""
    known = number in DECLINING_NUMBERS or number in SUCCEEDING_NUMBERS
    if livemode:
        return TEST_CARD_IN_LIVE_MODE if known else DECLINING_NUMBERS["4000000000000002"]
    if not known:
        return LIVE_CARD_IN_TEST_MODE
    return DECLINING_NUMBERS.get(number) or TEST_CARDS[SUCCEEDING_NUMBERS[number]]


def passes_luhn(number: str) -> bool:
    """The check digit every card number carries (what a card form checks before sending)."""
    digits = [int(digit) for digit in reversed(number)]
    doubled = [digit * 2 - 9 if digit > 4 else digit * 2 for digit in digits[1::2]]
    return (sum(digits[::2]) + sum(doubled)) % 10 == 0
