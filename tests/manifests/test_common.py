"""Shared field rules (labels, durations, codes, secret references), tested through a kind."""

from __future__ import annotations

import pytest

from tests.manifests.conftest import Validate, at, only

TAX_CODE = """\
apiVersion: reconcile.konghq.dev/v1
kind: TaxCode
metadata:
  name: saas
  labels:
    {label}
spec:
  key: saas
  stripe_tax_code: txcd_10103001
"""


@pytest.mark.parametrize("label", ["team: growth", "a.b_c-d: X1", "x: y", "k8s: v1.2"])
def test_valid_labels_pass(validate: Validate, label: str) -> None:
    assert validate(TAX_CODE.format(label=label)).valid


@pytest.mark.parametrize(
    ("label", "column", "code"),
    [
        ("kong-team: a", 5, "reserved-label-prefix"),
        ("konnect: a", 5, "reserved-label-prefix"),
        ("openmeter_x: a", 5, "reserved-label-prefix"),
        ("_private: a", 5, "bad-label"),
        ("-team: a", 5, "bad-label"),
        ("a..b: a", 5, "bad-label"),
        ("team: growth-", 11, "bad-label"),
        ("team: 'two words'", 11, "bad-label"),
        ('team: ""', 11, "bad-label"),
        (f"team: {'x' * 64}", 11, "bad-length"),
        (f"{'k' * 64}: v", 5, "bad-length"),
    ],
)
def test_label_rules_point_at_the_label(
    validate: Validate, label: str, column: int, code: str
) -> None:
    diagnostic = only(validate(TAX_CODE.format(label=label)))
    assert at(diagnostic) == ("m.yaml", 6, column, code)
    assert diagnostic.subject == "TaxCode/saas"


def test_at_most_fifty_labels(validate: Validate) -> None:
    labels = "{" + ", ".join(f"l{i}: v" for i in range(51)) + "}"
    assert at(
        only(validate(TAX_CODE.format(label="").replace("labels:\n    ", f"labels: {labels}")))
    )[1:] == (5, 3, "too-many-labels")


def test_fifty_labels_are_fine(validate: Validate) -> None:
    labels = "{" + ", ".join(f"l{i}: v" for i in range(50)) + "}"
    assert validate(TAX_CODE.format(label="").replace("labels:\n    ", f"labels: {labels}")).valid


PROFILE = """\
apiVersion: reconcile.konghq.dev/v1
kind: BillingProfile
metadata: {{name: main}}
spec:
  default: true
  app: stripe
  supplier: {{name: ACME, addresses: {{billing_address: {{country: US}}}}}}
  workflow:
    collection:
      interval: {duration}
"""
STRIPE = """\
apiVersion: reconcile.konghq.dev/v1
kind: StripeApp
metadata: {name: stripe}
spec: {api_key: "${env:STRIPE_API_KEY}"}
"""


@pytest.mark.parametrize("duration", ["P0D", "PT1H", "P30D", "P1M", "P1Y2M3W4DT5H6M7S", "PT0.5S"])
def test_valid_durations_pass(validate: Validate, duration: str) -> None:
    assert validate(PROFILE.format(duration=duration), base=False, stripe_yaml=STRIPE).valid


@pytest.mark.parametrize("duration", ["P", "PT", "1h", "P1H", "PT1D", "-P1D", "P1DT", "'30 days'"])
def test_invalid_durations_are_errors(validate: Validate, duration: str) -> None:
    diagnostic = only(validate(PROFILE.format(duration=duration), base=False, stripe_yaml=STRIPE))
    assert at(diagnostic) == ("m.yaml", 10, 17, "bad-duration")
    assert "spec.workflow.collection.interval" in diagnostic.message
    assert "silently" in diagnostic.message


def test_duration_of_wrong_type(validate: Validate) -> None:
    diagnostic = only(validate(PROFILE.format(duration="3600"), base=False, stripe_yaml=STRIPE))
    assert at(diagnostic) == ("m.yaml", 10, 17, "wrong-type")


CUSTOMER = """\
apiVersion: reconcile.konghq.dev/v1
kind: CustomerBilling
metadata: {{name: acme}}
spec:
  customer:
    key: acme
    {field}
  onboarding: checkout
"""


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("currency: usd", 15),
        ("currency: USDX", 15),
        ("billing_address: {country: USA}", 32),
        ("billing_address: {country: us}", 32),
        ("primary_email: not-an-email", 20),
    ],
)
def test_codes_and_emails(validate: Validate, field: str, column: int) -> None:
    assert at(only(validate(CUSTOMER.format(field=field)))) == ("m.yaml", 7, column, "bad-format")


@pytest.mark.parametrize(
    ("api_key", "code"),
    [
        ('"${env:STRIPE_KEY}"', None),
        ('"${env:_KEY_2}"', None),
        ('"${env:1KEY}"', "secret-reference"),
        ('"${env:STRIPE-KEY}"', "secret-reference"),
        ('"${env:}"', "secret-reference"),
        ('"$STRIPE_KEY"', "secret-reference"),
        ('"${STRIPE_KEY}"', "secret-reference"),
    ],
)
def test_secret_references(validate: Validate, api_key: str, code: str | None) -> None:
    text = STRIPE.replace('"${env:STRIPE_API_KEY}"', api_key)
    report = validate(text, base=False)
    if code is None:
        assert report.valid
    else:
        assert at(only(report)) == ("m.yaml", 4, 17, code)


def test_a_trailing_newline_does_not_sneak_past_a_pattern(validate: Validate) -> None:
    text = CUSTOMER.format(field='currency: "USD\\n"')
    assert at(only(validate(text))) == ("m.yaml", 7, 15, "bad-format")
