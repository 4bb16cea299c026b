"""docs/contributing/adding-a-kind.md stays true: it names every method of the protocol and
every file it sends a contributor to."""

from __future__ import annotations

import re
from pathlib import Path

from reconciler.core.kind import Resource

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "contributing" / "adding-a-kind.md").read_text()


def test_the_guide_names_every_protocol_method() -> None:
    methods = {name for name in vars(Resource) if callable(getattr(Resource, name))}
    public = {name for name in methods if not name.startswith("_")}
    missing = sorted(name for name in public if f"`{name}" not in GUIDE)
    assert not missing


def test_the_files_the_guide_names_exist() -> None:
    named = set(re.findall(r"`((?:reconciler|tests|docs)/[\w/.]+\.(?:py|md))`", GUIDE))
    assert named
    assert not sorted(path for path in named if not (ROOT / path).exists())
