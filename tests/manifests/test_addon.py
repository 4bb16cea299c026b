"""Addon rules, and a plan's add-ons."""

from __future__ import annotations

from reconciler.manifests import Addon
from tests.manifests.conftest import Validate, at, only

ADDON = """\
apiVersion: reconcile.konghq.dev/v1
kind: Addon
metadata: {{name: support}}
spec:
  key: support
  currency: USD
  instance_type: {instance_type}
  rate_cards:
  - key: support_fee
    billing_cadence: P1M
    price: {{type: flat, amount: 99}}
"""


def test_a_single_add_on(validate: Validate) -> None:
    report = validate(ADDON.format(instance_type="single"))
    assert report.manifests is not None
    addon = report.manifests.get(Addon, "support")
    assert addon is not None and addon.spec.rate_cards[0].key == "support_fee"


def test_a_multiple_add_on_has_no_flat_price(validate: Validate) -> None:
    diagnostic = only(validate(ADDON.format(instance_type="multiple")))
    assert (at(diagnostic)[1], at(diagnostic)[3]) == (4, "instance-type")


def test_a_plan_offers_an_add_on_from_a_phase_it_has(validate: Validate) -> None:
    plan = """\
apiVersion: reconcile.konghq.dev/v1
kind: Plan
metadata: {name: pro}
spec:
  key: pro
  currency: USD
  billing_cadence: P1M
  phases:
  - key: default
    rate_cards:
    - {key: fee, price: {type: flat, amount: 1}}
  addons:
  - {addon: support, from_plan_phase: trial}
"""
    diagnostic = only(validate(plan))
    assert (at(diagnostic)[1], at(diagnostic)[3]) == (12, "unknown-phase")  # the `addons` field
