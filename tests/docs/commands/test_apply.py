"""The apply page shows what apply prints on the examples."""

from __future__ import annotations

from tests.docs.conftest import Tour
from tests.docs.pages import fenced_blocks, page
from tests.docs.samples import appears


def test_apply_sample_is_what_apply_prints(tour: Tour) -> None:
    (sample,) = fenced_blocks(page("docs/commands/apply.md"), "text")[:1]
    assert appears(sample, tour.apply)
