"""Reading the documentation as tests need it: pages, sections, samples, links and anchors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
FENCE = "```"


def page(relative: str) -> str:
    return (REPO / relative).read_text()


def every_page() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]


def between(text: str, start: str, end: str) -> str:
    """The text after the first `start` and before the next `end`."""
    return text.split(start, 1)[1].split(end, 1)[0]


def sample_after(text: str, marker: str) -> str:
    """The body of the first fenced block after `marker`."""
    rest = text.split(marker, 1)[1]
    body_start = rest.index("\n", rest.index(FENCE)) + 1
    body_end = rest.index("\n" + FENCE, body_start) + 1
    return rest[body_start:body_end]


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"{FENCE}{language}\n(.*?){FENCE}", text, flags=re.S)


def prose_lines(text: str) -> Iterator[str]:
    """The lines outside fenced code blocks."""
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(FENCE):
            in_code = not in_code
        elif not in_code:
            yield line


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a page (a repeated heading gets -1, -2, ...)."""
    found: set[str] = set()
    for line in prose_lines(text):
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            repeated = slug
            count = 0
            while repeated in found:
                count += 1
                repeated = f"{slug}-{count}"
            found.add(repeated)
    return found


def relative_links(text: str) -> list[str]:
    """Link targets that are not URLs, read outside code (a regex in code is not a link)."""
    targets: list[str] = []
    for line in prose_lines(text):
        without_code = re.sub(r"`[^`]*`", "", line)
        targets += re.findall(r"\]\(([^)\s]+)\)", without_code)
    return [target for target in targets if not re.match(r"[a-z]+:", target)]
