"""The onboarding page's test card table says what the sandbox's checkout page does."""

from __future__ import annotations

import re

from reconciler.sandbox.stripe_api.cards import DECLINING_NUMBERS, SUCCEEDING_NUMBERS
from tests.docs.pages import between, page

TABLE = between(page("docs/commands/onboarding.md"), "| number | outcome |", "\n\n")


def rows() -> list[tuple[list[str], str]]:
    """(card numbers without spaces, outcome) of each row naming numbers."""
    found = []
    for line in TABLE.splitlines()[2:]:
        numbers, outcome = line.strip("|").split("|")
        found.append((re.findall(r"\d[\d ]{13,}\d", numbers), outcome))
    return [([n.replace(" ", "") for n in numbers], outcome) for numbers, outcome in found]


def test_saved_numbers_are_test_cards_that_succeed() -> None:
    saved = [numbers for numbers, outcome in rows() if "saved" in outcome]
    assert saved and all(n in SUCCEEDING_NUMBERS for numbers in saved for n in numbers)


def test_declined_numbers_are_declined_with_the_message_quoted() -> None:
    declined = [
        (numbers, outcome) for numbers, outcome in rows() if numbers and "saved" not in outcome
    ]
    assert len(declined) >= 3
    for numbers, outcome in declined:
        for number in numbers:
            assert number in DECLINING_NUMBERS, number
            quoted = re.search(r'"(.+)"', outcome)
            assert quoted is None or DECLINING_NUMBERS[number].message == quoted[1]
