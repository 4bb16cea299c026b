"""The shipped examples: the valid set is realistic and valid; each invalid set fails as marked.

Each file under `examples/invalid/` marks the lines where a problem must be reported with a
trailing `# expect: <code>` comment; the test compares those marks with what validation finds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.manifests import (
    Addon,
    BillingProfile,
    CustomerBilling,
    Feature,
    Plan,
    StripeApp,
    TaxCode,
    load_manifests,
    validate_directory,
)
from reconciler.manifests.billing_profile import SendInvoice
from reconciler.manifests.validation import validate_targets

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
INVALID = EXAMPLES / "invalid"
INVALID_CASES = sorted(path.name for path in INVALID.iterdir() if path.is_dir())
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+)")

# The error classes the project promises to catch, each shown by at least one invalid case.
PROMISED_CODES = {
    "yaml-syntax",
    "duplicate-key",
    "unknown-kind",
    "unknown-api-version",
    "unknown-field",
    "wrong-type",
    "bad-value",
    "bad-duration",
    "bad-label",
    "reserved-label-prefix",
    "too-many-labels",
    "bad-format",
    "bad-length",
    "missing-field",
    "tax-enforced",
    "duplicate-name",
    "duplicate-value",
    "dangling-reference",
    "default-profile",
    "literal-secret",
    "secret-reference",
    "stripe-link",
    "unknown-target",
    "credentials-in-url",
    "insecure-url",
    "undefined-var",
    "var-value",
    "stripe-mode",
}


def test_the_examples_are_a_realistic_valid_setup() -> None:
    manifests = load_manifests(EXAMPLES)
    assert len(manifests.of_kind(StripeApp)) == 1
    profiles = {profile.name: profile for profile in manifests.of_kind(BillingProfile)}
    assert [name for name, profile in profiles.items() if profile.spec.default] == ["self-serve"]
    self_serve = profiles["self-serve"].spec.workflow.payment
    assert self_serve is not None and self_serve.collection_method == "charge_automatically"
    enterprise = profiles["enterprise"].spec.workflow.payment
    assert isinstance(enterprise, SendInvoice) and enterprise.due_after == "P30D"
    tax_codes = manifests.of_kind(TaxCode)
    assert [code.name for code in tax_codes if code.spec.organization_default_for] == [
        "saas-general"
    ]
    assert len(tax_codes) == 2
    links = manifests.of_kind(CustomerBilling)
    with_method = [
        link for link in links if link.spec.stripe and link.spec.stripe.default_payment_method_id
    ]
    stripe_default = [
        link
        for link in links
        if link.spec.stripe and not link.spec.stripe.default_payment_method_id
    ]
    assert with_method and stripe_default
    assert any(link.spec.billing_profile == "enterprise" for link in links)
    assert manifests.project.default_target == "sandbox"


def test_the_environments_example_gives_each_target_its_own_view() -> None:
    reports = {report.target: report for report in validate_targets(EXAMPLES / "environments")}
    assert list(reports) == ["staging", "production"]
    views = {}
    for target, report in reports.items():
        assert report.valid, report.diagnostics
        assert report.manifests is not None
        views[target] = report.manifests
    staging, production = views["staging"], views["production"]
    # common/ is shared; the Stripe app and the customers are each environment's own.
    assert [code.name for code in staging.of_kind(TaxCode)] == ["saas-general"]
    assert [code.name for code in production.of_kind(TaxCode)] == ["saas-general"]
    assert [link.name for link in staging.of_kind(CustomerBilling)] == ["qa-team"]
    assert [link.name for link in production.of_kind(CustomerBilling)] == ["globex"]
    intervals = {
        target: [p.spec.workflow.collection for p in view.of_kind(BillingProfile)]
        for target, view in views.items()
    }
    assert intervals["staging"] != intervals["production"]


def test_the_examples_sell_a_plan_whose_rate_cards_carry_different_tax_codes() -> None:
    manifests = load_manifests(EXAMPLES)
    [plan] = manifests.of_kind(Plan)
    cards = [card for phase in plan.spec.phases for card in phase.rate_cards]
    tax_codes = [card.tax_config.tax_code for card in cards if card.tax_config]
    assert len(tax_codes) == 2 and len(set(tax_codes)) == 2
    assert {code.name for code in manifests.of_kind(TaxCode)} >= set(tax_codes)
    sold = {card.feature for card in cards if card.feature}
    assert sold and sold <= {feature.name for feature in manifests.of_kind(Feature)}
    offered = {addon.addon for addon in plan.spec.addons or ()}
    assert offered and offered <= {addon.name for addon in manifests.of_kind(Addon)}


def expected_marks(case: Path) -> set[tuple[str, int, str]]:
    marks = set()
    for file in sorted(case.rglob("*.yaml")):
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            for code in EXPECT.findall(line):
                marks.add((file.relative_to(case).as_posix(), number, code))
    return marks


@pytest.mark.parametrize("case", INVALID_CASES)
def test_each_invalid_example_fails_exactly_as_marked(case: str) -> None:
    root = INVALID / case
    expected = expected_marks(root)
    assert expected, f"{case} marks no expected problem"
    report = validate_directory(root)
    found = {
        (d.file.relative_to(root).as_posix(), d.position.line, d.code) for d in report.diagnostics
    }
    assert found == expected


def test_the_invalid_examples_cover_every_promised_error_class() -> None:
    marked = {code for case in INVALID_CASES for (_, _, code) in expected_marks(INVALID / case)}
    assert marked >= PROMISED_CODES, PROMISED_CODES - marked
