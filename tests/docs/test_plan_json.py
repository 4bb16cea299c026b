"""The plan JSON page documents every key of the plan, and only those."""

from __future__ import annotations

import re

from reconciler.schema_files import schema_files
from reconciler.views.plan_json import PLAN_OUTPUT_FILE
from tests.docs.pages import between, page


def test_every_key_of_the_plan_json_is_documented() -> None:
    table = between(page("docs/plan-json.md"), "<!-- plan-json:start -->", "<!-- plan-json:end -->")
    first_cells = [row.split("|")[1] for row in table.strip().splitlines()[2:]]
    documented = {key for cell in first_cells for key in re.findall(r"`([a-z_]+)`", cell)}
    assert documented == set(schema_files()[PLAN_OUTPUT_FILE]["properties"])
