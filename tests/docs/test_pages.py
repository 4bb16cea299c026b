"""The pages hold together: every link leads somewhere, every page can be reached from the
README, and every `make` target they name exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.pages import REPO, anchors, every_page, relative_links

# Pages the index already links to that are still to be written; a link to one of them is
# checked once the file exists.
PLANNED = {REPO / "docs" / "contributing" / "adding-a-kind.md"}
# `make TARGET` in code: a command line in a block, or a span of inline code.
MAKE_TARGET = re.compile(r"(?:^|`)make ([a-z]+)", re.M)


def _target(source: Path, link: str) -> tuple[Path, str]:
    path, _, anchor = link.partition("#")
    return ((source.parent / path).resolve() if path else source), anchor


def test_every_relative_link_resolves() -> None:
    broken: list[str] = []
    for source in every_page():
        for link in relative_links(source.read_text()):
            target, anchor = _target(source, link)
            if target in PLANNED and not target.exists():
                continue
            if not target.exists():
                broken.append(f"{source.relative_to(REPO)}: {link} (no such file)")
            elif anchor and anchor not in anchors(target.read_text()):
                broken.append(f"{source.relative_to(REPO)}: {link} (no such heading)")
    assert broken == []


def test_every_page_is_reachable_from_the_readme() -> None:
    reached = {REPO / "README.md"}
    waiting = [REPO / "README.md"]
    while waiting:
        source = waiting.pop()
        for link in relative_links(source.read_text()):
            target, _ = _target(source, link)
            if target.suffix == ".md" and target.exists() and target not in reached:
                reached.add(target)
                waiting.append(target)
    assert set(every_page()) - reached == set()


def test_every_make_target_named_exists() -> None:
    makefile = (REPO / "Makefile").read_text()
    named = {
        target for source in every_page() for target in MAKE_TARGET.findall(source.read_text())
    }
    assert named >= {"demo", "test", "schemas"}
    assert {target for target in named if not re.search(rf"^{target}:", makefile, re.M)} == set()
