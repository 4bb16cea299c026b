"""The manifest reference page is what `reconcile schema --reference` prints."""

from __future__ import annotations

from reconciler.manifests.reference import render_reference
from tests.docs.pages import between, page

START, END = "<!-- reference:start -->\n", "<!-- reference:end -->"


def test_manifest_reference_matches_the_models() -> None:
    embedded = between(page("docs/reference.md"), START, END)
    assert embedded == render_reference(), (
        "docs/reference.md is stale: replace the block with `reconcile schema --reference`"
    )
