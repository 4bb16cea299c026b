"""The card form both pages show: its fields, and what a submitted one amounts to.

A submitted form is checked as Stripe's card form checks it before sending anything
(complete number with a valid check digit, expiry not past, security code, name, country),
then the number is looked up among Stripe's test cards: a decline number is declined as
Stripe declines it, and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from reconciler.sandbox.hosted_pages.html import field, select
from reconciler.sandbox.stripe_api.cards import Decline, TestCard, card_for_number, passes_luhn
from reconciler.sandbox.stripe_api.world import CollectedCard

REQUIRED = "Required."
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code")
# What the form keeps of a rejected submission, to show it again: never the card itself.
KEPT_FIELDS = ("name", "country", *ADDRESS_FIELDS, "tax_id_type", "tax_id_value")
# Tax id types the form offers, with the shape Stripe checks each against.
TAX_ID_TYPES: dict[str, tuple[str, re.Pattern[str]]] = {
    "eu_vat": ("EU VAT number", re.compile(r"[A-Z]{2}[0-9A-Z]{2,13}")),
    "gb_vat": ("UK VAT number", re.compile(r"GB(\d{9}|\d{12})")),
    "us_ein": ("US EIN", re.compile(r"\d{2}-?\d{7}")),
    "au_abn": ("Australian ABN", re.compile(r"\d{11}")),
    "ca_bn": ("Canadian BN", re.compile(r"\d{9}")),
}
_EXPIRY = re.compile(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})")
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Invalid:
    """Fields the customer must fix: field name -> what is wrong."""

    errors: dict[str, str]


@dataclass(frozen=True)
class Declined:
    decline: Decline


CardOutcome = CollectedCard | Invalid | Declined


def read_card(values: Mapping[str, str], *, address_required: bool, livemode: bool) -> CardOutcome:
    """What a submitted card form amounts to: a card to save, fields to fix, or a decline."""
    errors: dict[str, str] = {}
    number = re.sub(r"[\s-]", "", values.get("card_number", ""))
    if number_error := _number_error(number):
        errors["card_number"] = number_error
    expiry = _expiry(values.get("card_expiry", ""), errors)
    cvc = values.get("card_cvc", "").strip()
    if not (cvc.isdigit() and len(cvc) == (4 if number.startswith(("34", "37")) else 3)):
        errors["card_cvc"] = "Your card's security code is incomplete."
    name = values.get("name", "").strip()
    if not name:
        errors["name"] = REQUIRED
    address = _address(values, errors, required=address_required)
    tax_ids = _tax_ids(values, errors)
    if errors or expiry is None:
        return Invalid(errors)
    card = card_for_number(number, livemode=livemode)
    if isinstance(card, Decline):
        return Declined(card)
    return _collected(card, expiry, name, address, tax_ids)


def _collected(
    card: TestCard,
    expiry: tuple[int, int],
    name: str,
    address: dict[str, str | None],
    tax_ids: tuple[tuple[str, str], ...],
) -> CollectedCard:
    month, year = expiry
    return CollectedCard(
        card=card, exp_month=month, exp_year=year, name=name, address=address, tax_ids=tax_ids
    )


def _number_error(number: str) -> str | None:
    if not number.isdigit():
        return "Your card number is incomplete." if not number else "Your card number is invalid."
    if len(number) < (15 if number.startswith(("34", "37")) else 16):
        return "Your card number is incomplete."
    if len(number) > 19 or not passes_luhn(number):
        return "Your card number is invalid."
    return None


def _expiry(text: str, errors: dict[str, str]) -> tuple[int, int] | None:
    """(month, year) of an `MM / YY` expiry, or None with the error noted."""
    match = _EXPIRY.fullmatch(text.strip())
    if match is None:
        errors["card_expiry"] = "Your card's expiration date is incomplete."
        return None
    month, year = int(match[1]), int(match[2])
    year += 2000 if year < 100 else 0
    now = datetime.now(UTC)
    if not 1 <= month <= 12:
        errors["card_expiry"] = "Your card's expiration date is invalid."
    elif year < now.year:
        errors["card_expiry"] = "Your card's expiration year is in the past."
    elif (year, month) < (now.year, now.month):
        errors["card_expiry"] = "Your card's expiration date is in the past."
    else:
        return month, year
    return None


def _address(
    values: Mapping[str, str], errors: dict[str, str], *, required: bool
) -> dict[str, str | None]:
    """The billing address: the country always (as Stripe's card form asks it), the street,
    city and postal code too when the session requires a full address."""
    country = values.get("country", "").strip().upper()
    if not _COUNTRY.fullmatch(country):
        errors["country"] = "Enter a two-letter country code, such as US."
    address: dict[str, str | None] = {"country": country}
    for name in ADDRESS_FIELDS:
        address[name] = values.get(name, "").strip() or None
    if required:
        for name in ("line1", "city", "postal_code"):
            if address[name] is None:
                errors[name] = REQUIRED
    return address


def _tax_ids(values: Mapping[str, str], errors: dict[str, str]) -> tuple[tuple[str, str], ...]:
    kind = values.get("tax_id_type", "").strip()
    value = re.sub(r"\s", "", values.get("tax_id_value", "")).upper()
    if not kind and not value:
        return ()
    if kind not in TAX_ID_TYPES:
        errors["tax_id_type"] = "Choose the type of the tax ID."
        return ()
    if not TAX_ID_TYPES[kind][1].fullmatch(value):
        errors["tax_id_value"] = f"Invalid value for {kind}."
        return ()
    return ((kind, value),)


def card_fields(
    values: Mapping[str, str], errors: Mapping[str, str], *, address_required: bool
) -> str:
    """The form's inputs, showing what was kept of a rejected submission and its errors."""

    def entry(
        label: str, name: str, autocomplete: str, *, required: bool = False, placeholder: str = ""
    ) -> str:
        # The card's own fields are never shown again, whatever `values` holds.
        value = values.get(name, "") if name in KEPT_FIELDS else ""
        return field(
            label,
            name,
            value,
            error=errors.get(name),
            required=required,
            autocomplete=autocomplete,
            placeholder=placeholder,
        )

    address_note = "required" if address_required else "optional, except the country"
    tax_options = [("", "No tax ID"), *((kind, label) for kind, (label, _) in TAX_ID_TYPES.items())]
    return "".join(
        [
            "<fieldset><legend>Card information</legend>",
            entry(
                "Card number",
                "card_number",
                "cc-number",
                required=True,
                placeholder="1234 1234 1234 1234",
            ),
            '<div class="row">',
            entry(
                "Expiry (MM / YY)", "card_expiry", "cc-exp", required=True, placeholder="MM / YY"
            ),
            entry("Security code", "card_cvc", "cc-csc", required=True, placeholder="CVC"),
            "</div>",
            entry("Name on card", "name", "cc-name", required=True),
            "</fieldset>",
            f"<fieldset><legend>Billing address ({address_note})</legend>",
            field(
                "Country (two letters)",
                "country",
                values.get("country") or "US",
                error=errors.get("country"),
                required=True,
                autocomplete="country",
            ),
            entry("Address line 1", "line1", "address-line1", required=address_required),
            entry("Address line 2", "line2", "address-line2"),
            '<div class="row">',
            entry("City", "city", "address-level2", required=address_required),
            entry("State", "state", "address-level1"),
            entry("Postal code", "postal_code", "postal-code", required=address_required),
            "</div></fieldset>",
            "<fieldset><legend>Tax ID (optional)</legend>",
            select("Type", "tax_id_type", tax_options, values.get("tax_id_type", "")),
            field(
                "Tax ID",
                "tax_id_value",
                values.get("tax_id_value", ""),
                error=errors.get("tax_id_value") or errors.get("tax_id_type"),
            ),
            "</fieldset>",
        ]
    )
