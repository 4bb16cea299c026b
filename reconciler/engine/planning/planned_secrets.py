"""Which secrets a saved plan would write, recorded without the secrets themselves.

A plan never holds a secret: its value is resolved from the environment when it is written.
So that `apply PLANFILE` installs the key that was planned and not whichever one the
environment holds by then, `plan -out` records a fingerprint of each secret a change would
send, and apply refuses the plan when a value resolved again no longer matches.

A fingerprint is scrypt over the value with a random salt of its own, kept beside it: it tells
whether a value is the one planned, and nothing else. Without the value it cannot be reversed,
scrypt makes each guess at a weak value expensive, and the salt makes two fingerprints of the
same key look unrelated, in one planfile or across many.

A plan made with read-only credentials has no write key to fingerprint. When the environment
declares the key's public fingerprint instead (`NAME_FINGERPRINT`, see `core.secrets`), the
planfile records that (`public:sk_live_...wxyz`), and apply checks the key it holds against it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.kind import DesiredContext, Resource, World
from reconciler.core.secrets import SecretSource, public_fingerprint

SCHEME = "scrypt"
PUBLIC_SCHEME = "public"
_SALT_BYTES = 16

# The secret values a write of an action's resource sends, by field; read from the
# environment at the time of the call.
SecretValues = Mapping[Address, Mapping[str, str]]
# The same, as the `${env:NAME}` references the values are read from.
SecretReferences = Mapping[Address, Mapping[str, str]]


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
    if scheme == PUBLIC_SCHEME:
        return hmac.compare_digest(public_fingerprint(value), rest)
    salt, _, expected = rest.partition(":")
    try:
        salt_bytes, expected_bytes = bytes.fromhex(salt), bytes.fromhex(expected)
    except ValueError:
        return False
    if scheme != SCHEME or not salt_bytes:
        return False
    return hmac.compare_digest(_digest(value, salt_bytes), expected_bytes)


def references_written(
    actions: Sequence[Action], resources: Sequence[Resource], world: World, secrets: SecretSource
) -> SecretReferences:
    """The references of the secrets each change but a deletion may send."""
    kinds = {resource.address_type: resource for resource in resources}
    context = DesiredContext(manifests=world.manifests, secrets=secrets)
    references: dict[Address, Mapping[str, str]] = {}
    for action in actions:
        desired = world.desired_of(action.address)
        if not action.is_change or action.type is ActionType.DELETE or desired is None:
            continue
        found = kinds[action.address.type].secret_references(desired, context)
        if found:
            references[action.address] = found
    return references


def values_written(
    actions: Sequence[Action], resources: Sequence[Resource], world: World, secrets: SecretSource
) -> SecretValues:
    """The secrets each change but a deletion may send, resolved from the environment now."""
    return {
        address: {field: secrets.resolve(reference) for field, reference in fields.items()}
        for address, fields in references_written(actions, resources, world, secrets).items()
    }


def record(references: SecretReferences, secrets: SecretSource) -> tuple[PlannedSecret, ...]:
    """A fingerprint of each secret: of its value when the environment holds it, else the
    public fingerprint the environment declares for it (a plan with read-only credentials)."""
    return tuple(
        PlannedSecret(address=address, field=field, fingerprint=_pin(reference, secrets))
        for address, fields in references.items()
        for field, reference in sorted(fields.items())
    )


def _pin(reference: str, secrets: SecretSource) -> str:
    declared = (
        None if secrets.in_environment(reference) else secrets.declared_fingerprint(reference)
    )
    if declared is not None:
        return f"{PUBLIC_SCHEME}:{declared}"
    return fingerprint(secrets.resolve(reference))


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
