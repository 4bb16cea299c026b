"""Which secrets a saved plan would write, recorded without the secrets themselves.

A plan never holds a secret: its value is resolved from the environment when it is written.
So that `apply PLANFILE` installs the key that was planned and not whichever one the
environment holds by then, `plan -out` records a fingerprint of each secret a change would
send, and apply refuses the plan when a value resolved again no longer matches.

A fingerprint is scrypt over the value with a random salt of its own, kept beside it: it tells
whether a value is the one planned, and nothing else. Without the value it cannot be reversed,
scrypt makes each guess at a weak value expensive, and the salt makes two fingerprints of the
same key look unrelated, in one planfile or across many.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.kind import DesiredContext, Resource, World
from reconciler.core.secrets import SecretSource

SCHEME = "scrypt"
_SALT_BYTES = 16

# The secret values a write of an action's resource sends, by field; read from the
# environment at the time of the call.
SecretValues = Mapping[Address, Mapping[str, str]]


class PlannedSecret(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Address
    field: str
    fingerprint: str  # `scrypt:<salt hex>:<digest hex>`


def fingerprint(value: str) -> str:
    salt = os.urandom(_SALT_BYTES)
    return f"{SCHEME}:{salt.hex()}:{_digest(value, salt).hex()}"


def matches(value: str, recorded: str) -> bool:
    """Whether `value` is the secret `recorded` was made from; False for a malformed one."""
    scheme, _, rest = recorded.partition(":")
    salt, _, expected = rest.partition(":")
    try:
        salt_bytes, expected_bytes = bytes.fromhex(salt), bytes.fromhex(expected)
    except ValueError:
        return False
    if scheme != SCHEME or not salt_bytes:
        return False
    return hmac.compare_digest(_digest(value, salt_bytes), expected_bytes)


def values_written(
    actions: Sequence[Action], resources: Sequence[Resource], world: World, secrets: SecretSource
) -> SecretValues:
    """The secrets each change but a deletion may send, resolved from the environment now."""
    kinds = {resource.address_type: resource for resource in resources}
    context = DesiredContext(manifests=world.manifests, secrets=secrets)
    values: dict[Address, Mapping[str, str]] = {}
    for action in actions:
        desired = world.desired_of(action.address)
        if not action.is_change or action.type is ActionType.DELETE or desired is None:
            continue
        found = kinds[action.address.type].secret_values(desired, context)
        if found:
            values[action.address] = found
    return values


def record(values: SecretValues) -> tuple[PlannedSecret, ...]:
    return tuple(
        PlannedSecret(address=address, field=field, fingerprint=fingerprint(value))
        for address, fields in values.items()
        for field, value in sorted(fields.items())
    )


def changed(planned: Sequence[PlannedSecret], now: SecretValues) -> list[str]:
    """Why the secrets the plan would write are not the ones planned; empty when they are.

    A secret with no fingerprint (a planfile saved before they were recorded) counts as
    changed: what it would install was never pinned down.
    """
    recorded = {(p.address, p.field): p.fingerprint for p in planned}
    reasons: list[str] = []
    for address, fields in now.items():
        for field, value in sorted(fields.items()):
            known = recorded.get((address, field))
            if known is None:
                reasons.append(
                    f"{address}: the plan records no fingerprint of its secret {field}, so the "
                    "value it would write cannot be checked"
                )
            elif not matches(value, known):
                reasons.append(
                    f"{address}: its secret {field} changed since the plan was made (the "
                    "environment holds another value than the one planned)"
                )
    return reasons


def _digest(value: str, salt: bytes) -> bytes:
    # scrypt's cost for interactive logins: about 16 MiB and some tens of milliseconds.
    return hashlib.scrypt(value.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
