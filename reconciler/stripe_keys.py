"""What a Stripe API key is, read from its prefix: `sk_` secret, `rk_` restricted or `pk_`
publishable, in `live` or `test` mode.

The one place reconcile tells Stripe keys apart: the mode the `Target:` line shows and the
apply prompt asks by, the refusal of a publishable key, the literal keys a manifest may not
hold, and the keys cut out of Stripe's error texts all ask here. It imports nothing, so that
the manifests and the API clients, which stand apart, can both read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

KeyType = Literal["secret", "restricted", "publishable"]
Mode = Literal["live", "test"]
_TYPES: dict[str, KeyType] = {"sk": "secret", "rk": "restricted", "pk": "publishable"}
_MODES: tuple[Mode, ...] = ("live", "test")


@dataclass(frozen=True)
class KeyKind:
    abbreviation: str
    mode: Mode

    @property
    def type(self) -> KeyType:
        return _TYPES[self.abbreviation]

    @property
    def prefix(self) -> str:
        return f"{self.abbreviation}_{self.mode}_"

    @property
    def is_secret(self) -> bool:
        """Secret and restricted keys call the API in an account's name. A publishable key is
        public, made for a browser's Stripe.js: it reads no account, customer or tax code."""
        return self.type != "publishable"

    def describe(self) -> str:
        return f"a {self.mode} Stripe {self.type} key"


KEY_KINDS = tuple(KeyKind(abbreviation, mode) for abbreviation in _TYPES for mode in _MODES)
SECRET_KEY_KINDS = tuple(kind for kind in KEY_KINDS if kind.is_secret)
# Any key's prefix, as a regular expression's alternatives.
ANY_KEY_PREFIX = "|".join(re.escape(kind.prefix) for kind in KEY_KINDS)


def kind_of(key: str) -> KeyKind | None:
    """The key's kind by its prefix; None for a value that is no Stripe key."""
    return next((kind for kind in KEY_KINDS if key.startswith(kind.prefix)), None)


def mode_of(keys: Iterable[str]) -> Mode | None:
    """Live when any key is live (the one that matters for a prompt), else test, else None
    when no key tells; secret and restricted keys alike."""
    modes = {kind.mode for kind in map(kind_of, keys) if kind is not None}
    return "live" if "live" in modes else "test" if "test" in modes else None
