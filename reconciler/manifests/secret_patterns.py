"""What a literal secret looks like, and how to keep one out of any text we print.

Two kinds of secret are cut: tokens shaped like a Stripe key (whoever's they are), and the
values actually configured for this run (the Konnect token, each Stripe key read from the
environment), which are registered when a connection is built. A registered value has no
shape to match, so it is cut by value: whole, and by any tail of `TAIL` or more characters,
since a tail shown next to a masked prefix narrows a guess as well.
"""

from __future__ import annotations

import re
import threading

from reconciler.stripe_keys import SECRET_KEY_KINDS

# Prefix -> what it is. Enough characters must follow that a prose mention of a prefix passes.
# Publishable keys are public by design (they are served to browsers): not secrets.
SECRET_PREFIXES = {
    **{kind.prefix: kind.describe() for kind in SECRET_KEY_KINDS},
    "whsec_": "a Stripe webhook signing secret",
}
SECRET = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, SECRET_PREFIXES)) + r")[A-Za-z0-9]{8,}"
)
REDACTED = "<redacted>"
# The shortest tail of a registered secret that is cut; also the shortest value registered:
# no credential an API issues is shorter, and cutting shorter values would mangle words.
TAIL = 8


class _Registered:
    """The configured secret values of this process; read from many threads, added to rarely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values: tuple[str, ...] = ()

    def add(self, value: str) -> None:
        with self._lock:
            if len(value) >= TAIL and value not in self.values:
                # Longest first: a secret that holds another is cut whole, not around it.
                self.values = tuple(sorted({*self.values, value}, key=len, reverse=True))

    def clear(self) -> None:
        with self._lock:
            self.values = ()


_REGISTERED = _Registered()


def register_secret(value: str) -> None:
    """Cut `value` (and its tails) from every text redacted from now on in this process."""
    _REGISTERED.add(value)


def forget_secrets() -> None:
    """Forget every registered value; for tests that need a process with none."""
    _REGISTERED.clear()


def redact(text: str) -> str:
    """`text` with every registered secret and every secret-looking token cut out.

    Diagnostics quote names and keys from the manifest, and servers quote requests back in
    their errors; a secret must not travel on through either.
    """
    for secret in _REGISTERED.values:
        text = _cut_tails(text, secret)
    return SECRET.sub(lambda match: f"{match.group(1)}{REDACTED}", text)


def _cut_tails(text: str, secret: str) -> str:
    """`text` with each run that ends like `secret` (its last TAIL characters or more) cut.

    Every such run ends with the secret's last TAIL characters: find those, then widen each
    find to the left for as long as it still follows the secret backwards.
    """
    tail = secret[-TAIL:]
    pieces: list[str] = []
    done = 0
    found = text.find(tail)
    while found != -1:
        start, matched = found, TAIL
        while start > done and matched < len(secret) and text[start - 1] == secret[-matched - 1]:
            start -= 1
            matched += 1
        pieces += [text[done:start], REDACTED]
        done = found + TAIL
        found = text.find(tail, done)
    return "".join(pieces) + text[done:]
