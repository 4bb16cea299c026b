"""Characters no manifest may hold, found where they are written.

Control characters and the bidirectional embeddings, overrides and isolates make a name or a
line display differently from what it is ("Trojan Source"): in a review, in a terminal, in the
Konnect UI. YAML's reader refuses most controls itself; the bidirectional ones it lets through
anywhere, and a double-quoted scalar can spell any of them as an escape (`"\\u202e"`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_BIDI = "\u202a-\u202e\u2066-\u2069"
_WRITTEN = re.compile(f"[{_BIDI}]")
# Tab and line feed are text; a carriage return in a value can hide what precedes it.
_IN_VALUE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SHORT_ESCAPES = {
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\x0d",
    "e": "\x1b",
    "N": "\x85",
}
# Listed per file at most, one per line: a file full of them is refused all the same.
MAX_LISTED = 20


def written_characters(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of the bidirectional controls written in `text`, the first of each
    line; comments included, since they too display reordered."""
    listed = 0
    line_end = -1
    for match in _WRITTEN.finditer(text):
        if match.start() <= line_end:
            continue
        yield match.start(), match.group()
        listed += 1
        if listed == MAX_LISTED:
            return
        line_end = text.find("\n", match.start())
        if line_end == -1:
            return


def has_forbidden(value: str) -> bool:
    return _IN_VALUE.search(value) is not None


def escaped_character(source: str) -> tuple[int, str] | None:
    """(offset, character) of the first escape in a double-quoted scalar's `source` that
    spells a forbidden character."""
    for match in _ESCAPE.finditer(source):
        spelled = match.group(1)
        character = _SHORT_ESCAPES.get(spelled) or _spelled_code(spelled)
        if _IN_VALUE.fullmatch(character):
            return match.start(), character
    return None


def _spelled_code(spelled: str) -> str:
    """`x07`, `u202e` or `U0001f600` as the character; any other escape as itself."""
    if len(spelled) == 1:
        return spelled
    code = int(spelled[1:], 16)
    return chr(code) if code <= 0x10FFFF else ""


def describe(character: str) -> str:
    code = f"U+{ord(character):04X}"
    if _WRITTEN.fullmatch(character):
        return (
            f"bidirectional control {code} {unicodedata.name(character)}: it makes text display "
            "in another order than it is read; remove it"
        )
    return f"control character {code} is not allowed in a manifest; remove it"
