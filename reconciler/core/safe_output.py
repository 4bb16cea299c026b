"""The way out: every text reconcile prints, and every file of account data it writes.

Two dangers travel in that text. Secrets: a server that echoes the Authorization header in
its error page puts the token into our error message. Terminal control sequences: a name or
an error text holding ESC or OSC sequences could recolour, retitle, erase or forge what the
terminal shows. So everything that leaves is
- redacted: every registered secret, its tails, and every key-shaped token cut
  (`secret_patterns.redact`);
- neutralised: control characters other than newline and tab are written as `\\u001b`, which
  reads plainly on a terminal and is the same character again inside a JSON string.

This happens at the exit (the standard streams while the CLI runs, and the file writers
below), not where server text enters: it enters through too many paths (error messages,
names, finding messages, diff values) to guard each one, and a path added later would go
unguarded. Our own styling must still reach the terminal, so the colours of
`with_styling()` (which `views.style` gives click's colour names) and the progress line's
`CARRIAGE_RETURN` and `ERASE_LINE` carry a mark made afresh in each process; only marked
sequences pass, and no server can know the mark to forge one.

Files holding account data are created readable by their owner only (0600, directories
0700); a stricter umask narrows that further.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TextIO, cast

from reconciler.manifests.secret_patterns import redact

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700

_MARK = f"\x00{secrets.token_hex(8)}\x00"
# Control characters: C0 but newline and tab, DEL, and C1 (0x9b alone starts a sequence).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SEQUENCE = r"\x1b\[[0-9;]*[mK]"
# A sequence between two marks; empty where click dropped it, printing no colour.
_MARKED = re.compile(re.escape(_MARK) + f"({_SEQUENCE}|\\r|)" + re.escape(_MARK))
_RESET = "\x1b[0m"

CARRIAGE_RETURN = f"{_MARK}\r{_MARK}"
ERASE_LINE = f"{_MARK}\x1b[K{_MARK}"


def neutralise(text: str) -> str:
    """`text` with each control character but newline and tab spelled out as `\\u00XX`."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def clean(text: str) -> str:
    """`text` fit to leave the program: secrets redacted, control characters neutralised,
    and no styling (a file has no use for it)."""
    return _leaving(text, styled=False)


def for_terminal(text: str) -> str:
    """`clean(text)`, except that the styling `with_styling()` and the constants above made
    stays."""
    return _leaving(text, styled=True)


def _leaving(text: str, *, styled: bool) -> str:
    text = redact(text)
    pieces: list[str] = []
    done = 0
    for marked in _MARKED.finditer(text):
        pieces += [neutralise(text[done : marked.start()]), marked.group(1) if styled else ""]
        done = marked.end()
    return "".join(pieces) + neutralise(text[done:])


def with_styling(text: str, opening: str) -> str:
    """`text` after the SGR sequences `opening` and before a reset, both of which pass the
    exit; `text` itself does not pass as styling: any sequence in it is neutralised like the
    rest."""
    return _marked(opening) + text + _marked(_RESET)


def _marked(sequences: str) -> str:
    return re.sub(_SEQUENCE, lambda match: f"{_MARK}{match.group()}{_MARK}", sequences)


class SafeStream:
    """A text stream that passes everything written to it through `for_terminal`.

    It offers no `buffer`: click, finding none, writes here rather than to the bytes below.
    """

    def __init__(self, raw: TextIO) -> None:
        self._raw = raw

    @property
    def encoding(self) -> str:
        return self._raw.encoding

    @property
    def errors(self) -> str | None:
        return self._raw.errors

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes with b"" for a binary stream
            raise TypeError("write() argument must be str")
        self._raw.write(for_terminal(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._raw.flush()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def fileno(self) -> int:
        return self._raw.fileno()

    def writable(self) -> bool:
        return True


@contextmanager
def safe_standard_streams() -> Iterator[None]:
    """Standard output and error pass through `SafeStream` until the block ends."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (_safe(stream) for stream in saved)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _safe(stream: TextIO) -> TextIO:
    # Once is enough; twice would take our own styling, unmarked by the first, for a server's.
    return stream if isinstance(stream, SafeStream) else cast(TextIO, SafeStream(stream))


def print_clean_traceback(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """An excepthook: the traceback of a fault, cleaned like any other output."""
    sys.stderr.write(clean("".join(traceback.format_exception(kind, error, trace))))


def write_private_text(path: Path, text: str) -> None:
    """Write `clean(text)` to `path`, readable by its owner only, so that a reader sees the
    old file or the new one, never half of it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # A leftover of a crashed run may have another mode, which O_CREAT would keep.
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(clean(text))
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)


def copy_privately(source: Path, destination: Path) -> None:
    """Copy a file's bytes; a new `destination` is private, an existing one keeps its mode."""
    if not destination.exists():
        os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    destination.write_bytes(source.read_bytes())


def make_private_directory(path: Path) -> None:
    """Create `path` private (missing parents get the umask's mode, as `mkdir -p` gives
    them); an existing one keeps its mode."""
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
