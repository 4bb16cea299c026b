from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.actions import Action, ActionType, Address
from reconciler.engine.planning.graph import OrderingError, order_in_levels

APP = Address(type="stripe_app", name="stripe")
TAX = Address(type="tax_code", name="saas")
PROFILE = Address(type="billing_profile", name="self-serve")
OLD_PROFILE = Address(type="billing_profile", name="legacy")
LINK = Address(type="customer_billing", name="acme")


def act(
    address: Address, type_: ActionType, *deps: Address, releases: tuple[Address, ...] = ()
) -> Action:
    return Action(
        address=address, type=type_, depends_on=frozenset(deps), releases=frozenset(releases)
    )


def names(levels: list[list[Action]]) -> list[list[str]]:
    return [[str(a.address) for a in level] for level in levels]


def test_creates_follow_dependencies_and_independent_ones_share_a_level() -> None:
    levels = order_in_levels(
        [
            act(LINK, ActionType.CREATE, PROFILE),
            act(PROFILE, ActionType.CREATE, APP),
            act(TAX, ActionType.CREATE),
            act(APP, ActionType.CREATE),
        ]
    )
    assert names(levels) == [
        ["stripe_app.stripe", "tax_code.saas"],
        ["billing_profile.self-serve"],
        ["customer_billing.acme"],
    ]


def test_noops_are_left_out_and_do_not_hold_back_dependants() -> None:
    levels = order_in_levels([act(APP, ActionType.NOOP), act(PROFILE, ActionType.UPDATE, APP)])
    assert names(levels) == [["billing_profile.self-serve"]]


def test_deletes_run_in_reverse_and_after_references_are_released() -> None:
    levels = order_in_levels(
        [
            act(APP, ActionType.NOOP),
            act(PROFILE, ActionType.NOOP, APP),
            act(OLD_PROFILE, ActionType.DELETE, APP),
            act(LINK, ActionType.UPDATE, PROFILE, releases=(OLD_PROFILE,)),
        ]
    )
    assert names(levels) == [["customer_billing.acme"], ["billing_profile.legacy"]]
    levels = order_in_levels(
        [act(APP, ActionType.DELETE), act(OLD_PROFILE, ActionType.DELETE, APP)]
    )
    assert names(levels) == [["billing_profile.legacy"], ["stripe_app.stripe"]]


def test_a_replacement_waits_for_the_changes_that_stop_referring_to_it() -> None:
    # Replacing deletes the old object: what moves off it must have moved first.
    levels = order_in_levels(
        [
            act(APP, ActionType.NOOP),
            act(PROFILE, ActionType.REPLACE, APP),
            act(LINK, ActionType.UPDATE, OLD_PROFILE, releases=(PROFILE,)),
            act(OLD_PROFILE, ActionType.NOOP, APP),
        ]
    )
    assert names(levels) == [["customer_billing.acme"], ["billing_profile.self-serve"]]


def test_cycles_and_unknown_dependencies_are_errors() -> None:
    with pytest.raises(OrderingError, match="cycle"):
        order_in_levels(
            [act(APP, ActionType.CREATE, PROFILE), act(PROFILE, ActionType.CREATE, APP)]
        )
    with pytest.raises(OrderingError, match="not planned"):
        order_in_levels([act(PROFILE, ActionType.CREATE, APP)])


@st.composite
def acyclic_plans(draw: st.DrawFn) -> list[Action]:
    count = draw(st.integers(min_value=1, max_value=12))
    addresses = [Address(type="kind", name=f"r{i}") for i in range(count)]
    actions = []
    for index, address in enumerate(addresses):
        # Depending only on lower indexes keeps the graph acyclic.
        deps = draw(st.sets(st.sampled_from(addresses[:index]))) if index else set()
        kind = draw(st.sampled_from([ActionType.CREATE, ActionType.UPDATE, ActionType.NOOP]))
        actions.append(act(address, kind, *deps))
    return actions


@given(acyclic_plans())
def test_every_change_is_ordered_once_after_its_changed_dependencies(actions: list[Action]) -> None:
    levels = order_in_levels(actions)
    position = {a.address: n for n, level in enumerate(levels) for a in level}
    assert sorted(position, key=str) == sorted((a.address for a in actions if a.is_change), key=str)
    for action in actions:
        for dependency in action.depends_on:
            if action.is_change and dependency in position:
                assert position[dependency] < position[action.address]
