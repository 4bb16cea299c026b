"""Actions serialise the same way on every run: plan JSON and planfiles are diffed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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


def test_a_set_of_addresses_is_kept_as_given_and_anything_else_is_validated() -> None:
    main = Address(type="billing_profile", name="main")
    given = frozenset({main})
    kept = Action(address=main, type=ActionType.NOOP, depends_on=given)
    assert kept.depends_on is given
    validated = Action(
        address=main, type=ActionType.NOOP, depends_on=["billing_profile.main"], releases={main}
    )
    assert validated.depends_on == given == validated.releases
    assert isinstance(validated.releases, frozenset)
    with pytest.raises(ValidationError):
        Action(address=main, type=ActionType.NOOP, depends_on=frozenset({"main"}))


def test_the_empty_default_is_one_shared_set() -> None:
    first = Action(address=Address(type="widget", name="a"), type=ActionType.NOOP)
    second = Action(address=Address(type="widget", name="b"), type=ActionType.CREATE)
    assert first.depends_on == first.releases == frozenset()
    assert first.releases is second.releases is second.depends_on
