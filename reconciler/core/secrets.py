"""Secret values behind `${env:NAME}` references: resolved late, never stored in a plan.

A secret's public fingerprint is its first 8 and last 4 characters (`sk_live_...wxyz`), as
Stripe's Dashboard and Konnect show a key. A plan made with read-only credentials has no write
key; `NAME_FINGERPRINT` may then give the fingerprint of the key `NAME` will hold, so the plan
still tells whether the installed key changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import ReconcileError

_REFERENCE = re.compile(r"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$")
FINGERPRINT_SUFFIX = "_FINGERPRINT"
_FINGERPRINT = re.compile(r"^[A-Za-z0-9_]{8}\.\.\.[A-Za-z0-9]{4}$")


def public_fingerprint(value: str) -> str:
    """First 8 and last 4 characters: tells two keys apart, useless to an attacker."""
    return f"{value[:8]}...{value[-4:]}"


class MissingSecret(ReconcileError):
    """A referenced environment variable is not set. The message names only the variable."""


class MalformedFingerprint(ReconcileError):
    """A `NAME_FINGERPRINT` variable holds something else than a fingerprint. The message never
    repeats the value: it may be the key itself, set there by mistake."""


def variable_of(reference: str) -> str:
    match = _REFERENCE.match(reference)
    if match is None:
        raise ValueError("not a ${env:NAME} reference")
    return match.group(1)


@dataclass
class SecretSource:
    """Resolves references from the environment, with optional stand-ins for unset ones.

    Stand-ins exist for the sandbox target only, so `make demo` runs without set-up; which
    variables were stood in for is kept so the plan header can say so.
    """

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stand_ins: Mapping[str, str] = field(default_factory=dict)
    stood_in: set[str] = field(default_factory=set)

    def resolve(self, reference: str) -> str:
        name = variable_of(reference)
        value = self.environ.get(name)
        if value:
            return value
        if name in self.stand_ins:
            self.stood_in.add(name)
            return self.stand_ins[name]
        raise MissingSecret(f"environment variable {name} is not set")

    def in_environment(self, reference: str) -> bool:
        """Whether the environment itself holds the value (stand-ins do not count)."""
        return bool(self.environ.get(variable_of(reference)))

    def declared_fingerprint(self, reference: str) -> str | None:
        """The fingerprint `NAME_FINGERPRINT` gives of the value `NAME` will hold, if set."""
        name = variable_of(reference) + FINGERPRINT_SUFFIX
        value = self.environ.get(name)
        if not value:
            return None
        if not _FINGERPRINT.match(value):
            raise MalformedFingerprint(
                f"environment variable {name} must hold a fingerprint: the key's first 8 and "
                "last 4 characters, as sk_live_...wxyz (its value is not shown)"
            )
        return value

    def fingerprint(self, reference: str) -> str:
        """The public fingerprint of the value: from the value when the environment holds it,
        else from `NAME_FINGERPRINT`, else from a stand-in."""
        if self.in_environment(reference):
            return public_fingerprint(self.resolve(reference))
        declared = self.declared_fingerprint(reference)
        if declared is not None:
            return declared
        name = variable_of(reference)
        try:
            return public_fingerprint(self.resolve(reference))
        except MissingSecret:
            raise MissingSecret(
                f"environment variable {name} is not set, nor {name}{FINGERPRINT_SUFFIX} (the "
                "key's first 8 and last 4 characters, enough for a plan with read-only "
                "credentials to tell whether the key changes)"
            ) from None
