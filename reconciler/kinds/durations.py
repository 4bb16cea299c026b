"""ISO-8601 durations in one spelling, so `PT0S`, `P0D` and `PT0M` compare equal.

Konnect re-renders every stored duration (`P14D` reads back `P2W`, `PT90M` as `PT1H30M`).
Both sides of a diff are brought to the same canonical spelling: seconds carry into
minutes and minutes into hours, months into years, weeks become days; hours never carry
into days nor days into months, since their lengths vary.
"""

from __future__ import annotations

import re
from decimal import Decimal

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"^P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$"
)


def canonical_duration(text: str) -> str:
    """The canonical spelling; text that is not a duration is returned unchanged."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() == "P" or text.strip().endswith("T"):
        return text
    years, months, weeks, days, hours, minutes, seconds = (_number(g) for g in match.groups())
    carried_minutes, seconds = divmod(seconds, 60)
    carried_hours, minutes = divmod(minutes + carried_minutes, 60)
    carried_years, months = divmod(months, 12)
    date = _part(years + carried_years, "Y") + _part(months, "M") + _part(days + 7 * weeks, "D")
    time = _part(hours + carried_hours, "H") + _part(minutes, "M") + _part(seconds, "S")
    if not date and not time:
        return "P0D"
    return "P" + date + ("T" + time if time else "")


def _number(text: str | None) -> Decimal:
    return Decimal(0) if text is None else Decimal(text.replace(",", "."))


def _part(value: Decimal, unit: str) -> str:
    return format(value.normalize(), "f") + unit if value else ""
