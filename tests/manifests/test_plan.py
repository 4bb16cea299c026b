"""Plan rules: prices, phases, rate cards and their references."""

from __future__ import annotations

import pytest

from reconciler.manifests import Plan
from reconciler.manifests.plan import FlatPrice
from tests.manifests.conftest import Validate, at, only

PLAN = """\
apiVersion: reconcile.konghq.dev/v1
kind: Plan
metadata: {{name: pro}}
spec:
  key: pro
  currency: USD
  billing_cadence: P1M
  phases:
{phases}
"""
FEE = """\
  - key: default
    rate_cards:
    - key: platform_fee
      billing_cadence: P1M
      price: {{type: flat, amount: {amount}}}
      tax_config: {{tax_code: saas}}
"""


def test_a_plan_with_a_taxed_flat_fee(validate: Validate) -> None:
    report = validate(PLAN.format(phases=FEE.format(amount=49)))
    assert report.manifests is not None
    plan = report.manifests.get(Plan, "pro")
    assert plan is not None
    [card] = plan.spec.phases[0].rate_cards
    assert isinstance(card.price, FlatPrice) and card.price.amount == "49"
    assert card.tax_config is not None and card.tax_config.tax_code == "saas"


@pytest.mark.parametrize(
    ("phases", "line", "code"),
    [
        (FEE.format(amount="-1"), 13, "bad-format"),
        (FEE.format(amount="ten"), 13, "bad-format"),
        (FEE.replace("type: flat", "type: unit").format(amount=1), 11, "usage-price"),
        (FEE.format(amount=1) + FEE.format(amount=2), 8, "duplicate-value"),
        (
            FEE.format(amount=1) + FEE.replace("default", "later").format(amount=2),
            8,
            "phase-duration",
        ),
        (
            FEE.format(amount=1).replace("    rate_cards:", "    duration: P1M\n    rate_cards:"),
            8,
            "phase-duration",
        ),
    ],
)
def test_plan_rules(validate: Validate, phases: str, line: int, code: str) -> None:
    diagnostic = only(validate(PLAN.format(phases=phases)))
    assert (at(diagnostic)[0], at(diagnostic)[1], at(diagnostic)[3]) == ("m.yaml", line, code)
