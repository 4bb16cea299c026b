"""CustomerBilling rules."""

from __future__ import annotations

import pytest

from reconciler.manifests import CustomerBilling
from tests.manifests.conftest import Validate, at, column_of, only

CUSTOMER = """\
apiVersion: reconcile.konghq.dev/v1
kind: CustomerBilling
metadata: {{name: acme}}
spec: {spec}
"""


def test_full_customer_link(validate: Validate) -> None:
    spec = (
        "{customer: {key: acme, name: ACME, primary_email: ap@acme.example, currency: EUR, "
        "billing_address: {country: DE, city: Berlin}, subject_keys: [acme-prod]}, "
        "billing_profile: main, "
        "stripe: {customer_id: cus_Q1w2E3, default_payment_method_id: pm_1Pq2}}"
    )
    report = validate(CUSTOMER.format(spec=spec))
    assert report.manifests is not None
    link = report.manifests.get(CustomerBilling, "acme")
    assert link is not None and link.spec.stripe is not None
    assert link.spec.stripe.default_payment_method_id == "pm_1Pq2"
    assert link.spec.customer.subject_keys == ["acme-prod"]


def test_onboarding_without_a_stripe_customer(validate: Validate) -> None:
    assert validate(CUSTOMER.format(spec="{customer: {key: a}, onboarding: checkout}")).valid


@pytest.mark.parametrize(
    ("spec", "marker", "code"),
    [
        ("{customer: {key: a}, stripe: {customer_id: cust_1}}", "cust_1", "bad-format"),
        ("{customer: {key: a}, stripe: {customer_id: 'cus_'}}", "'cus_'", "bad-format"),
        (
            "{customer: {key: a}, stripe: {customer_id: cus_1, default_payment_method_id: card_1}}",
            "card_1",
            "bad-format",
        ),
        (
            "{customer: {key: a}, stripe: {default_payment_method_id: pm_1}}",
            "stripe",
            "missing-field",
        ),
        ("{customer: {key: a}}", "spec", "stripe-link"),
        (
            "{customer: {key: a}, stripe: {customer_id: cus_1}, onboarding: checkout}",
            "checkout",
            "stripe-link",
        ),
        ("{customer: {key: a}, onboarding: stripe}", "stripe}", "bad-value"),
        ("{customer: {key: ''}, onboarding: checkout}", "''", "bad-length"),
        ("{customer: {name: A}, onboarding: checkout}", "customer", "missing-field"),
        ("{customer: {key: a, subject_keys: ['']}, onboarding: checkout}", "''", "bad-length"),
        ("{customer: {key: a, subject_keys: x}, onboarding: checkout}", "x}", "wrong-type"),
        ("{customer: {key: a, email: x@y.z}, onboarding: checkout}", "email", "unknown-field"),
        ("{customer: {key: a}, billing_profile: Main, onboarding: checkout}", "Main", "bad-format"),
    ],
)
def test_customer_billing_rules(validate: Validate, spec: str, marker: str, code: str) -> None:
    diagnostic = only(validate(CUSTOMER.format(spec=spec)))
    line = f"spec: {spec}"
    assert at(diagnostic) == ("m.yaml", 4, column_of(line, marker), code)


def test_unknown_field_hint_uses_the_nested_model(validate: Validate) -> None:
    spec = "{customer: {key: a, primary_emial: x@y.z}, onboarding: checkout}"
    diagnostic = only(validate(CUSTOMER.format(spec=spec)))
    assert diagnostic.message == (
        "unknown field 'spec.customer.primary_emial' (did you mean 'primary_email'?)"
    )
