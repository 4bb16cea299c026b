"""ISO-8601 parsing and the Go period rendering the server answers with."""

from __future__ import annotations

import pytest

from reconciler.sandbox.konnect_api.durations import normalized_or, parse


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("PT0S", "P0D"),
        ("P0D", "P0D"),
        ("P30D", "P30D"),
        ("P7D", "P1W"),
        ("P2W", "P2W"),
        ("PT1H", "PT1H"),
        ("P1M", "P1M"),
        ("P1Y2M3DT4H5M6S", "P1Y2M3DT4H5M6S"),
        ("PT1.5H", "PT1.5H"),
        ("PT90M", "PT1H30M"),
        ("PT3600S", "PT1H"),
        ("P24M", "P2Y"),
        ("PT48H", "PT48H"),
        ("P45D", "P45D"),
    ],
)
def test_rendering(text: str, rendered: str) -> None:
    period = parse(text)
    assert period is not None
    assert period.render() == rendered


@pytest.mark.parametrize("text", ["", "P", "PT", "1D", "P1H", "abc", "P1DT"])
def test_unparsable(text: str) -> None:
    assert parse(text) is None
    assert normalized_or(text, "PT1H") == "PT1H"


def test_absent_takes_the_default() -> None:
    assert normalized_or(None, "P30D") == "P30D"
