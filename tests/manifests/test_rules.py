"""Rules across documents: duplicates, dangling references, the default profile."""

from __future__ import annotations

from tests.manifests.conftest import Validate, at, column_of, only

SECOND_PROFILE = """\
apiVersion: reconcile.konghq.dev/v1
kind: BillingProfile
metadata:
  name: {name}
spec:
  {extra}
  app: {app}
  supplier: {{name: A, addresses: {{billing_address: {{country: US}}}}}}
"""


def second_profile(name: str = "second", app: str = "stripe", extra: str = "") -> str:
    return SECOND_PROFILE.format(name=name, app=app, extra=extra or "description: second")


def test_duplicate_name_points_at_the_second_document(validate: Validate) -> None:
    diagnostic = only(validate(second_profile(name="main")))
    assert at(diagnostic) == ("m.yaml", 4, 9, "duplicate-name")
    assert "another BillingProfile is named 'main' (base.yaml:8)" in diagnostic.message


def test_same_name_in_different_kinds_is_fine(validate: Validate) -> None:
    text = second_profile(name="stripe", extra="name: Stripe profile")
    assert validate(text).valid


def test_dangling_app_reference_with_a_hint(validate: Validate) -> None:
    diagnostic = only(validate(second_profile(app="strip")))
    assert at(diagnostic) == ("m.yaml", 7, 8, "dangling-reference")
    assert diagnostic.message == "no StripeApp named 'strip' is declared (did you mean 'stripe'?)"


def test_dangling_reference_is_reported_beside_the_documents_other_problems(
    validate: Validate,
) -> None:
    report = validate(second_profile(app="strip", extra="description: 7"))
    assert sorted(d.code for d in report.diagnostics) == ["dangling-reference", "wrong-type"]
    dangling = next(d for d in report.diagnostics if d.code == "dangling-reference")
    assert at(dangling) == ("m.yaml", 7, 8, "dangling-reference")


def test_reference_to_an_invalid_but_declared_document_is_not_dangling(validate: Validate) -> None:
    broken_app = (
        "apiVersion: reconcile.konghq.dev/v1\nkind: StripeApp\nmetadata: {name: other}\n"
        "spec: {api_key: nope}\n"
    )
    report = validate(second_profile(app="other"), app_yaml=broken_app)
    assert [d.code for d in report.diagnostics] == ["secret-reference"]


def test_two_default_profiles(validate: Validate) -> None:
    diagnostic = only(validate(second_profile(extra="default: true")))
    assert at(diagnostic) == ("m.yaml", 6, 12, "default-profile")
    assert "'main' already is" in diagnostic.message


def test_no_default_profile(validate: Validate) -> None:
    report = validate(
        second_profile(),
        base=False,
        stripe_yaml=(
            "apiVersion: reconcile.konghq.dev/v1\nkind: StripeApp\nmetadata: {name: stripe}\n"
            'spec: {api_key: "${env:K}"}\n'
        ),
    )
    assert at(only(report)) == ("m.yaml", 2, 7, "default-profile")


def test_no_profiles_at_all_needs_no_default(validate: Validate) -> None:
    report = validate(
        "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: t}\n"
        "spec: {key: t, stripe_tax_code: txcd_10000000}\n",
        base=False,
    )
    assert report.valid


def test_duplicate_display_names_of_profiles(validate: Validate) -> None:
    diagnostic = only(validate(second_profile(extra="name: main")))
    assert at(diagnostic) == ("m.yaml", 6, 9, "duplicate-value")


SECOND_CUSTOMER_LINE = (
    "spec: {{customer: {{key: {key}, subject_keys: [{subject}]}}, "
    "billing_profile: {profile}, onboarding: checkout}}"
)
CUSTOMERS = """\
apiVersion: reconcile.konghq.dev/v1
kind: CustomerBilling
metadata: {{name: one}}
spec: {{customer: {{key: acme, subject_keys: [s1]}}, onboarding: checkout}}
---
apiVersion: reconcile.konghq.dev/v1
kind: CustomerBilling
metadata: {{name: two}}
{second_line}
"""


def customers(key: str, subject: str, profile: str) -> tuple[str, str]:
    line = SECOND_CUSTOMER_LINE.format(key=key, subject=subject, profile=profile)
    return CUSTOMERS.format(second_line=line), line


def test_duplicate_customer_key(validate: Validate) -> None:
    text, line = customers(key="acme", subject="s2", profile="main")
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 9, column_of(line, "acme"), "duplicate-value")
    assert "customer key 'acme' is already declared by CustomerBilling/one" in diagnostic.message


def test_duplicate_subject_key(validate: Validate) -> None:
    text, line = customers(key="other", subject="s1", profile="main")
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 9, column_of(line, "s1"), "duplicate-value")


def test_dangling_billing_profile(validate: Validate) -> None:
    text, line = customers(key="other", subject="s2", profile="enterprise")
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 9, column_of(line, "enterprise"), "dangling-reference")


def test_one_organization_default_per_use(validate: Validate) -> None:
    text = """\
    apiVersion: reconcile.konghq.dev/v1
    kind: TaxCode
    metadata: {name: a}
    spec: {key: a, stripe_tax_code: txcd_10000000, organization_default_for: [invoicing]}
    ---
    apiVersion: reconcile.konghq.dev/v1
    kind: TaxCode
    metadata: {name: b}
    spec:
      key: b
      stripe_tax_code: txcd_10000001
      organization_default_for: [credit_grants, invoicing]
    """
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 12, 45, "duplicate-value")


def test_all_problems_are_reported_at_once_in_file_order(validate: Validate) -> None:
    report = validate(
        customers(key="acme", subject="s1", profile="nope")[0],
        z_yaml=second_profile(name="main", app="none"),
    )
    assert [(d.file.name, d.position.line, d.code) for d in report.diagnostics] == [
        ("m.yaml", 9, "duplicate-value"),
        ("m.yaml", 9, "duplicate-value"),
        ("m.yaml", 9, "dangling-reference"),
        ("z.yaml", 4, "duplicate-name"),
        ("z.yaml", 7, "dangling-reference"),
    ]
