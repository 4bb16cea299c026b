"""Stale plans: each action is checked against a fresh read of the object it was planned on."""

from __future__ import annotations

import pytest

from reconciler.core.actions import Action, ActionType, Address, FieldChange
from reconciler.core.observation import ABSENT, check_observation, observation
from reconciler.core.plan import Plan
from reconciler.engine.planning.staleness import (
    PlanDiffers,
    StalePlan,
    ensure_applicable,
    ensure_fresh,
    first_difference,
    stale_actions,
)
from reconciler.errors import ReconcileError

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
    assert isinstance(refused.value, ReconcileError)  # exit 1, mapped by the CLI
    assert refused.value.reasons == (
        "the manifests changed since the plan was made",
        "billing_profile.enterprise was deleted since the plan was made",
        "stripe_app.stripe: its secret api_key changed",
    )
    assert "nothing was applied" in str(refused.value)
    assert "reconcile plan" in str(refused.value)


DESCRIBED = FieldChange(path="description", before="Old", after="New")
UPDATE = Action(address=PROFILE, type=ActionType.UPDATE, changes=(DESCRIBED,))
KEEP_TAX = Action(address=TAX, type=ActionType.NOOP)


def _with(action: Action, **fields: object) -> Action:
    return action.model_copy(update=fields)


@pytest.mark.parametrize(
    ("saved", "difference"),
    [
        (
            [_with(UPDATE, type=ActionType.DELETE), KEEP_TAX],
            "billing_profile.enterprise: saved delete, now update",
        ),
        ([UPDATE], "tax_code.saas: not in the saved plan, now no-op"),
        (
            [UPDATE, KEEP_TAX, _with(KEEP_TAX, address=LINK)],
            "customer_billing.acme: saved no-op, now not in the plan",
        ),
        ([UPDATE, KEEP_TAX, KEEP_TAX], "tax_code.saas: saved twice"),
        (
            [_with(UPDATE, changes=(_with(DESCRIBED, after="Other"),)), KEEP_TAX],
            "billing_profile.enterprise: saved update with other field changes than now, at "
            "description",
        ),
        (
            [_with(UPDATE, changes=(DESCRIBED, _with(DESCRIBED, path="name"))), KEEP_TAX],
            "billing_profile.enterprise: saved update with other field changes than now, at name",
        ),
        (
            [_with(UPDATE, changes=()), KEEP_TAX],
            "billing_profile.enterprise: saved update with other field changes than now, at "
            "description",
        ),
        (
            [_with(UPDATE, changes=(_with(DESCRIBED, forces_replacement=True),)), KEEP_TAX],
            "billing_profile.enterprise: saved update with other field changes than now, at "
            "description",
        ),
    ],
    ids=["type", "removed", "added", "twice", "new-value", "more-fields", "fewer-fields", "flag"],
)
def test_the_first_difference_from_the_plan_made_now_is_named(
    saved: list[Action], difference: str
) -> None:
    assert first_difference(saved, [UPDATE, KEEP_TAX]) == difference


def test_order_reasons_dependencies_and_old_values_are_not_differences() -> None:
    """What apply runs is the plan made now; the old value is pinned by the observation, and
    may name other objects whose changes elsewhere must not refuse a plan."""
    saved = [
        KEEP_TAX,
        _with(
            UPDATE,
            changes=(_with(DESCRIBED, before="(not managed: other)"),),
            reasons=("edited",),
            depends_on=frozenset({TAX}),
        ),
    ]
    assert first_difference(saved, [UPDATE, KEEP_TAX]) is None


def test_changed_manifests_are_named_before_an_action_the_plan_made_now_lacks() -> None:
    observed = _with(UPDATE, observed=observation(LIVE_PROFILE))
    saved = Plan(actions=(observed, _with(KEEP_TAX, address=LINK)), manifest_digest="sha256:m1")
    now = Plan(actions=(observed, KEEP_TAX), manifest_digest="sha256:m1")
    reads = {PROFILE: LIVE_PROFILE}
    with pytest.raises(PlanDiffers, match=r"customer_billing\.acme: saved no-op, now not in"):
        ensure_applicable(saved, now, reread={PROFILE: None})
    with pytest.raises(StalePlan, match="the manifests changed since the plan was made"):
        ensure_applicable(saved, _with_digest(now, "sha256:m2"), reread=reads)
    ensure_applicable(now, now, reread=reads)
    with pytest.raises(StalePlan, match=r"billing_profile\.enterprise was deleted since"):
        ensure_applicable(now, now, reread={PROFILE: None})


def _with_digest(plan: Plan, digest: str) -> Plan:
    return plan.model_copy(update={"manifest_digest": digest})
