"""Secret values behind `${env:NAME}` references: resolved late, never stored in a plan."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import ReconcileError

_REFERENCE = re.compile(r"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$")


class MissingSecret(ReconcileError):
    """A referenced environment variable is not set. The message names only the variable."""


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
