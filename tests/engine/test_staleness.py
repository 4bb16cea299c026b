"""Stale plans: each action is checked against a fresh read of the object it was planned on."""

from __future__ import annotations

import pytest

from reconciler.engine.actions import Action, ActionType, Address
from reconciler.engine.plan import Plan
from reconciler.engine.staleness import (
    ABSENT,
    StalePlan,
    check_observation,
    ensure_fresh,
    observation,
    stale_actions,
)

PROFILE = Address(type="billing_profile", name="enterprise")
LINK = Address(type="customer_billing", name="acme")
TAX = Address(type="tax_code", name="saas")
LIVE_PROFILE = {"id": "01J", "name": "Enterprise", "default": False}


def planned(address: Address, kind: ActionType, live: dict[str, object] | None) -> Action:
    return Action(address=address, type=kind, observed=observation(live))


def test_unchanged_objects_and_unrecorded_observations_are_fresh() -> None:
    update = planned(PROFILE, ActionType.UPDATE, LIVE_PROFILE)
    assert check_observation(update, dict(reversed(LIVE_PROFILE.items()))) is None
    assert check_observation(planned(LINK, ActionType.CREATE, None), None) is None
    assert check_observation(Action(address=TAX, type=ActionType.UPDATE), {"x": 1}) is None
    assert observation(None) == ABSENT


def test_each_kind_of_change_since_the_plan_has_its_own_message() -> None:
    update = planned(PROFILE, ActionType.UPDATE, LIVE_PROFILE)
    assert check_observation(update, {**LIVE_PROFILE, "default": True}) == (
        "billing_profile.enterprise was changed since the plan was made"
    )
    assert check_observation(update, None) == (
        "billing_profile.enterprise was deleted since the plan was made"
    )
    create = planned(LINK, ActionType.CREATE, None)
    assert check_observation(create, {"id": "x"}) == (
        "customer_billing.acme was created by someone else since the plan was made"
    )


def test_stale_actions_lists_only_the_changed_ones_and_needs_every_re_read() -> None:
    actions = [
        planned(PROFILE, ActionType.UPDATE, LIVE_PROFILE),
        planned(LINK, ActionType.CREATE, None),
        planned(TAX, ActionType.NOOP, {"key": "saas"}),
    ]
    fresh = {PROFILE: LIVE_PROFILE, LINK: {"id": "new"}}
    assert [s.address for s in stale_actions(actions, fresh)] == [LINK]
    with pytest.raises(ValueError, match=r"billing_profile\.enterprise was not re-read"):
        stale_actions(actions, {LINK: None})


def test_ensure_fresh_refuses_with_every_reason_at_once() -> None:
    plan = Plan(
        actions=(planned(PROFILE, ActionType.UPDATE, LIVE_PROFILE),),
        manifest_digest="sha256:m1",
        live_fingerprint="sha256:l1",
    )
    ensure_fresh(plan, manifest_digest="sha256:m1", fresh={PROFILE: LIVE_PROFILE})
    with pytest.raises(StalePlan) as refused:
        ensure_fresh(
            plan,
            manifest_digest="sha256:m2",
            fresh={PROFILE: None},
            changed_secrets=["stripe_app.stripe: its secret api_key changed"],
        )
    assert refused.value.exit_code == 1
    assert refused.value.reasons == (
        "the manifests changed since the plan was made",
        "billing_profile.enterprise was deleted since the plan was made",
        "stripe_app.stripe: its secret api_key changed",
    )
    assert "nothing was applied" in str(refused.value)
    assert "reconcile plan" in str(refused.value)
