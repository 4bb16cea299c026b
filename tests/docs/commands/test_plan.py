"""The plan page shows what plan prints on the examples."""

from __future__ import annotations

from tests.docs.conftest import Tour
from tests.docs.pages import fenced_blocks, page
from tests.docs.samples import appears_in_order


def test_plan_sample_is_what_plan_prints(tour: Tour) -> None:
    (sample,) = fenced_blocks(page("docs/commands/plan.md"), "text")[:1]
    assert appears_in_order(sample, tour.plan)
