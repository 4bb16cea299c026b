"""TaxCode rules."""

from __future__ import annotations

import pytest

from reconciler.manifests import TaxCode
from tests.manifests.conftest import Validate, at, column_of, only

TAX_CODE = """\
apiVersion: reconcile.konghq.dev/v1
kind: TaxCode
metadata: {{name: saas}}
spec: {spec}
"""


def test_valid_tax_code(validate: Validate) -> None:
    spec = (
        "{key: saas_general, stripe_tax_code: txcd_10103001, organization_default_for: [invoicing]}"
    )
    report = validate(TAX_CODE.format(spec=spec))
    assert report.manifests is not None
    tax_code = report.manifests.get(TaxCode, "saas")
    assert tax_code is not None
    assert tax_code.spec.organization_default_for == ["invoicing"]
    assert tax_code.konnect_name == "saas"


@pytest.mark.parametrize(
    ("spec", "marker", "code"),
    [
        ("{key: SaaS, stripe_tax_code: txcd_10103001}", "SaaS", "bad-format"),
        ("{key: saas__general, stripe_tax_code: txcd_10103001}", "saas__", "bad-format"),
        ("{key: _saas, stripe_tax_code: txcd_10103001}", "_saas", "bad-format"),
        (f"{{key: {'a' * 65}, stripe_tax_code: txcd_10103001}}", "aaa", "bad-length"),
        ("{key: saas, stripe_tax_code: txcd_1010300}", "txcd_", "bad-format"),
        ("{key: saas, stripe_tax_code: txcd_101030011}", "txcd_", "bad-format"),
        ("{key: saas, stripe_tax_code: TXCD_10103001}", "TXCD", "bad-format"),
        ("{key: saas, stripe_tax_code: 10103001}", "10103001", "wrong-type"),
        ("{key: saas}", "{", "missing-field"),
        (
            "{key: saas, stripe_tax_code: txcd_10103001, organization_default_for: [invoices]}",
            "invoices",
            "bad-value",
        ),
        (
            "{key: saas, stripe_tax_code: txcd_10103001, "
            "organization_default_for: [invoicing, invoicing]}",
            "organization_default_for",
            "duplicate-value",
        ),
    ],
)
def test_tax_code_rules(validate: Validate, spec: str, marker: str, code: str) -> None:
    diagnostic = only(validate(TAX_CODE.format(spec=spec)))
    expected_column = column_of(f"spec: {spec}", marker)
    if code == "missing-field":
        expected_column = 1  # the `spec` key itself
    assert at(diagnostic) == ("m.yaml", 4, expected_column, code)
