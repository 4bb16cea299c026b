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
