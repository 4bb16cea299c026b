"""BillingProfile rules, each asserting the exact position and class of the problem."""

from __future__ import annotations

import pytest

from reconciler.manifests import BillingProfile, load_manifests
from tests.manifests.conftest import Validate, at, column_of, only

PROFILE = """\
apiVersion: reconcile.konghq.dev/v1
kind: BillingProfile
metadata: {{name: other}}
spec:
  app: stripe
  supplier:
    name: ACME Inc.
    addresses: {{billing_address: {{country: US}}}}
  workflow:
    {workflow}
"""


def profile(workflow: str) -> str:
    return PROFILE.format(workflow=workflow)


def test_a_full_workflow_loads_with_api_names(validate: Validate, tmp_path: object) -> None:
    text = profile(
        "{collection: {alignment: {type: anchored, recurring_period: "
        "{anchor: '2025-01-01T00:00:00Z', interval: P1M}}, interval: PT2H}, "
        "invoicing: {auto_advance: false, draft_period: P1D, progressive_billing: false, "
        "subscription_end_proration_mode: bill_full_period}, "
        "payment: {collection_method: send_invoice, due_after: P14D}, "
        "tax: {enabled: true, enforced: true, default_tax_config: {behavior: inclusive}}}"
    )
    report = validate(text)
    assert report.valid, [d.format() for d in report.diagnostics]
    assert report.manifests is not None
    loaded = report.manifests.get(BillingProfile, "other")
    assert loaded is not None
    workflow = loaded.spec.workflow
    assert workflow.payment is not None and workflow.payment.collection_method == "send_invoice"
    assert workflow.invoicing is not None and workflow.invoicing.draft_period == "P1D"
    assert loaded.konnect_name == "other"


def test_unset_optional_fields_stay_none(validate: Validate) -> None:
    report = validate(profile("{}"))
    assert report.manifests is not None
    loaded = report.manifests.get(BillingProfile, "other")
    assert loaded is not None
    assert loaded.spec.workflow.collection is None
    assert loaded.spec.workflow.payment is None
    assert loaded.spec.supplier.tax_id is None


@pytest.mark.parametrize(
    ("workflow", "marker", "code", "fragment"),
    [
        ("{payment: {collection_method: invoice}}", "invoice", "bad-value", "'send_invoice'"),
        ("{payment: {due_after: P30D}}", "payment", "missing-field", "collection_method"),
        (
            "{payment: {collection_method: charge_automatically, due_after: P30D}}",
            "due_after",
            "unknown-field",
            "due_after",
        ),
        ("{payment: {collection_method: send_invoice, due_after: 30d}}", "30d", "bad-duration", ""),
        ("{invoicing: {draft_period: P1X}}", "P1X", "bad-duration", "draft_period"),
        ("{invoicing: {auto_advance: sometimes}}", "sometimes", "wrong-type", "true or false"),
        (
            "{invoicing: {subscription_end_proration_mode: prorate}}",
            "prorate",
            "bad-value",
            "bill_",
        ),
        ("{tax: {enabled: false, enforced: true}}", "true", "tax-enforced", "enforced"),
        ("{tax: {default_tax_config: {behavior: inferred}}}", "inferred", "bad-value", "inclusive"),
        ("{tax: {default_tax_config: {tax_code: txcd_10000000}}}", "tax_code", "unknown-field", ""),
        ("{collection: {alignment: {type: anchored}}}", "alignment", "missing-field", "recurring"),
        (
            "{collection: {interval: PT1H, intervall: P1D}}",
            "intervall",
            "unknown-field",
            "'interval'",
        ),
    ],
)
def test_workflow_rules(
    validate: Validate, workflow: str, marker: str, code: str, fragment: str
) -> None:
    diagnostic = only(validate(profile(workflow)))
    assert at(diagnostic) == ("m.yaml", 10, column_of(f"    {workflow}", marker), code)
    assert fragment in diagnostic.message


def test_tax_may_be_enforced_when_enabled_is_left_to_the_default(validate: Validate) -> None:
    assert validate(profile("{tax: {enforced: true}}")).valid


@pytest.mark.parametrize(
    ("supplier", "marker", "code", "fragment"),
    [
        ("{addresses: {billing_address: {country: US}}}", "supplier", "missing-field", "sup"),
        ("{name: '', addresses: {billing_address: {country: US}}}", "''", "bad-length", "name"),
        (
            "{name: A, addresses: {billing_address: {city: X}}}",
            "billing_address",
            "missing-field",
            "country",
        ),
        ("{name: A}", "supplier", "missing-field", "addresses"),
        ("{name: A, addresses: {billing_address: {country: XX1}}}", "XX1", "bad-format", ""),
        (
            "{name: A, tax_id: {code: ''}, addresses: {billing_address: {country: US}}}",
            "''",
            "bad-length",
            "tax_id.code",
        ),
    ],
)
def test_supplier_rules(
    validate: Validate, supplier: str, marker: str, code: str, fragment: str
) -> None:
    line = f"  supplier: {supplier}"
    text = PROFILE.format(workflow="{}").replace(
        "  supplier:\n    name: ACME Inc.\n    addresses: {billing_address: {country: US}}\n",
        line + "\n",
    )
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 6, column_of(line, marker), code)
    assert fragment in diagnostic.message


def test_display_name_length(validate: Validate) -> None:
    text = profile("{}").replace("spec:\n", f"spec:\n  name: {'n' * 257}\n")
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 5, 9, "bad-length")
    assert "at most 256" in diagnostic.message


def test_load_manifests_returns_the_set(tmp_path: object, validate: Validate) -> None:
    report = validate(profile("{}"))
    manifests = load_manifests(report.root)
    assert [doc.name for doc in manifests.of_kind(BillingProfile)] == ["main", "other"]
