"""Actions serialise the same way on every run: plan JSON and planfiles are diffed."""

from __future__ import annotations

from reconciler.core.actions import Action, ActionType, Address


def test_dependencies_and_releases_serialise_in_address_order() -> None:
    addresses = [Address(type="customer_billing", name=f"c{n:02}") for n in range(20)]
    action = Action(
        address=Address(type="billing_profile", name="main"),
        type=ActionType.UPDATE,
        depends_on=frozenset(reversed(addresses)),
        releases=frozenset(addresses[:10]),
    )
    dumped = action.model_dump(mode="json")
    names = dumped["depends_on"]
    assert names == [f"customer_billing.c{n:02}" for n in range(20)]
    assert dumped["releases"] == names[:10]
    assert Action.model_validate_json(action.model_dump_json()) == action
