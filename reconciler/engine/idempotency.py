"""Idempotency keys for Stripe writes, derived from the plan rather than drawn at random.

The same plan applied again (after a crash, a timeout, a Ctrl-C) sends the same key for the
same write, so Stripe answers with the first result instead of writing twice; a different
plan, or different desired contents, gets a different key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from reconciler.engine.actions import Action
from reconciler.engine.fingerprint import canonical_json, digest_value
from reconciler.engine.plan import Plan

KEY_PREFIX = "reconcile-"
# Stripe accepts idempotency keys of up to 255 characters.
MAX_KEY_LENGTH = 255


def plan_fingerprint(plan: Plan) -> str:
    """A digest of everything the plan says: its actions and what it was made from."""
    return digest_value(plan.model_dump(mode="json"))


def idempotency_key(plan_fingerprint: str, action: Action, desired: Any, *, step: str = "") -> str:
    """The key for one write of `action`; `step` tells apart several writes of one action."""
    material = {
        "plan": plan_fingerprint,
        "address": str(action.address),
        "type": action.type.value,
        "desired": digest_value(desired),
        "step": step,
    }
    return KEY_PREFIX + hashlib.sha256(canonical_json(material).encode()).hexdigest()
