"""ISO-8601 durations, parsed and rendered the way the Go server's period library does.

The server re-renders every duration it stores, so `PT0S` comes back as `P0D`, `P14D` as
`P2W` and `PT90M` as `PT1H30M`; reconcile has to compare after the same normalisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PATTERN = re.compile(
    rf"^([-+]?)P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$"
)


@dataclass(frozen=True)
class Period:
    negative: bool = False
    years: Decimal = Decimal(0)
    months: Decimal = Decimal(0)
    days: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    minutes: Decimal = Decimal(0)
    seconds: Decimal = Decimal(0)

    def render(self) -> str:
        date = _part(self.years, "Y") + _part(self.months, "M") + _days(self.days)
        time = _part(self.hours, "H") + _part(self.minutes, "M") + _part(self.seconds, "S")
        if not date and not time:
            return "P0D"
        sign = "-" if self.negative else ""
        return sign + "P" + date + ("T" + time if time else "")


def parse(text: str) -> Period | None:
    """The period, or None when the text is not an ISO-8601 duration."""
    match = _PATTERN.match(text.strip())
    if match is None or text.strip() in ("P", "-P", "+P") or text.strip().endswith("T"):
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    total_days = _number(days) + 7 * _number(weeks)
    return _carried(
        Period(
            negative=sign == "-",
            years=_number(years),
            months=_number(months),
            days=total_days,
            hours=_number(hours),
            minutes=_number(minutes),
            seconds=_number(seconds),
        )
    )


def _carried(period: Period) -> Period:
    """The library's default ("precise") normalisation on parse.

    Seconds carry into minutes, minutes into hours and months into years; hours never carry
    into days nor days into months, as their lengths vary. So `PT90M` reads back `PT1H30M`.
    """
    minutes, seconds = divmod(period.seconds, 60)
    hours, minutes = divmod(period.minutes + minutes, 60)
    years, months = divmod(period.months, 12)
    return replace(
        period,
        years=period.years + years,
        months=months,
        hours=period.hours + hours,
        minutes=minutes,
        seconds=seconds,
    )


def normalized_or(text: str | None, default: str) -> str:
    """The rendered duration, or the default when absent or unparsable (as the server does)."""
    if text is None:
        return default
    period = parse(text)
    return default if period is None else period.render()


def _number(text: str | None) -> Decimal:
    return Decimal(0) if text is None else Decimal(text.replace(",", "."))


def _days(days: Decimal) -> str:
    if days and days % 7 == 0:
        return _part(days / 7, "W")
    return _part(days, "D")


def _part(value: Decimal, unit: str) -> str:
    if not value:
        return ""
    text = format(value.normalize(), "f")
    return text + unit
