"""StripeApp rules."""

from __future__ import annotations

import pytest

from reconciler.manifests import StripeApp
from tests.manifests.conftest import Validate, at, column_of, only

APP = """\
apiVersion: reconcile.konghq.dev/v1
kind: StripeApp
metadata: {{name: billing}}
spec: {spec}
"""


def test_valid_app_keeps_the_reference_not_a_secret(validate: Validate) -> None:
    spec = '{name: Stripe EU, api_key: "${env:STRIPE_EU_KEY}", livemode: true, account_id: acct_1A}'
    report = validate(APP.format(spec=spec))
    assert report.manifests is not None
    app = report.manifests.get(StripeApp, "billing")
    assert app is not None
    assert (app.spec.api_key, app.konnect_name) == ("${env:STRIPE_EU_KEY}", "Stripe EU")


@pytest.mark.parametrize(
    ("spec", "marker", "code"),
    [
        ("{}", "{", "missing-field"),
        ('{api_key: "${env:K}", account_id: acc_1}', "acc_1", "bad-format"),
        ('{api_key: "${env:K}", livemode: live}', "live}", "wrong-type"),
        ('{api_key: "${env:K}", display_name: x}', "display_name", "unknown-field"),
        ("{api_key: STRIPE_API_KEY}", "STRIPE", "secret-reference"),
    ],
)
def test_stripe_app_rules(validate: Validate, spec: str, marker: str, code: str) -> None:
    diagnostic = only(validate(APP.format(spec=spec)))
    column = 1 if code == "missing-field" else column_of(f"spec: {spec}", marker)
    assert at(diagnostic) == ("m.yaml", 4, column, code)
