from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.kinds.durations import canonical_duration
from reconciler.sandbox.konnect_api.durations import normalized_or


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("P0D", "P0D"),
        ("PT0S", "P0D"),
        ("PT0M", "P0D"),
        ("P2W", "P14D"),
        ("P14D", "P14D"),
        ("PT90M", "PT1H30M"),
        ("PT3600S", "PT1H"),
        ("P18M", "P1Y6M"),
        ("P1DT24H", "P1DT24H"),
    ],
)
def test_equal_durations_share_one_spelling(spelling: str, canonical: str) -> None:
    assert canonical_duration(spelling) == canonical


def test_text_that_is_not_a_duration_is_kept_so_the_diff_shows_it() -> None:
    assert canonical_duration("soon") == "soon"
    assert canonical_duration("P") == "P"


@given(
    st.tuples(*(st.integers(min_value=0, max_value=90) for _ in range(7))).map(
        lambda n: "P{}Y{}M{}W{}DT{}H{}M{}S".format(*n)
    )
)
def test_what_the_server_renders_reads_back_as_what_was_sent(spelling: str) -> None:
    # The sandbox renders durations as Konnect's server does; a plan must see no change.
    assert canonical_duration(normalized_or(spelling, "P0D")) == canonical_duration(spelling)
