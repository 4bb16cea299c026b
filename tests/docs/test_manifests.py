"""The manifests page points editors at schemas that exist."""

from __future__ import annotations

import re

from tests.docs.pages import REPO, page


def test_modeline_sample_names_a_real_schema() -> None:
    names = re.findall(r"\$schema=\.\./schemas/(\S+)", page("docs/manifests.md"))
    assert names and all((REPO / "schemas" / name).is_file() for name in names)
