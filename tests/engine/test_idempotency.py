"""Idempotency keys: the same plan and write give the same key; anything else a new one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.actions import Action, ActionType, Address
from reconciler.engine.idempotency import MAX_KEY_LENGTH, idempotency_key, plan_fingerprint
from reconciler.engine.plan import Plan

LINK = Action(address=Address(type="customer_billing", name="acme"), type=ActionType.UPDATE)
DESIRED = {"stripe": {"customer_id": "cus_Q1w2E3r4T5y6U7"}, "labels": {"team": "growth"}}


def plan_with(*actions: Action, live: str = "sha256:1") -> Plan:
    return Plan(actions=actions, manifest_digest="sha256:m", live_fingerprint=live)


def test_stable_across_reruns_of_the_same_plan() -> None:
    first = idempotency_key(plan_fingerprint(plan_with(LINK)), LINK, DESIRED)
    reordered = {"labels": {"team": "growth"}, "stripe": {"customer_id": "cus_Q1w2E3r4T5y6U7"}}
    again = idempotency_key(plan_fingerprint(plan_with(LINK)), LINK, reordered)
    assert first == again
    assert first.startswith("reconcile-")
    assert len(first) <= MAX_KEY_LENGTH


def test_differs_for_another_plan_action_type_desired_document_or_step() -> None:
    fingerprint = plan_fingerprint(plan_with(LINK))
    base = idempotency_key(fingerprint, LINK, DESIRED)
    other_plan = plan_fingerprint(plan_with(LINK, live="sha256:2"))
    assert other_plan != fingerprint
    variants = {
        idempotency_key(other_plan, LINK, DESIRED),
        idempotency_key(fingerprint, LINK.model_copy(update={"type": ActionType.CREATE}), DESIRED),
        idempotency_key(
            fingerprint,
            LINK.model_copy(update={"address": Address(type="customer_billing", name="globex")}),
            DESIRED,
        ),
        idempotency_key(fingerprint, LINK, {**DESIRED, "labels": {}}),
        idempotency_key(fingerprint, LINK, DESIRED, step="payment_method"),
    }
    assert base not in variants
    assert len(variants) == 5


@given(
    st.text(max_size=300),
    st.text(min_size=1, max_size=300),
    st.recursive(st.none() | st.integers() | st.text(), lambda inner: st.lists(inner)),
)
def test_always_short_enough_for_stripe(fingerprint: str, name: str, desired: object) -> None:
    action = Action(address=Address(type="kind", name=name), type=ActionType.CREATE)
    key = idempotency_key(fingerprint, action, desired)
    assert len(key) <= MAX_KEY_LENGTH
    assert key.isascii()
