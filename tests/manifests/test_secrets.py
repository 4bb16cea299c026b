"""Literal secrets anywhere in a manifest are errors that never echo the secret."""

from __future__ import annotations

import pytest

from reconciler.manifests import validate_directory
from tests.manifests.conftest import Validate, at, column_of, only

FAKE_TAIL = "0" * 4 + "FAKE" + "0" * 16


@pytest.mark.parametrize(
    ("prefix", "description"),
    [
        ("sk_live_", "a live Stripe secret key"),
        ("sk_test_", "a test Stripe secret key"),
        ("rk_live_", "a live Stripe restricted key"),
        ("rk_test_", "a test Stripe restricted key"),
        ("whsec_", "a Stripe webhook signing secret"),
    ],
)
def test_literal_secret_in_the_key_field(validate: Validate, prefix: str, description: str) -> None:
    secret = prefix + FAKE_TAIL
    line = f"spec: {{api_key: {secret}}}"
    text = f"apiVersion: reconcile.konghq.dev/v1\nkind: StripeApp\nmetadata: {{name: s2}}\n{line}\n"
    diagnostic = only(validate(text))
    assert at(diagnostic) == ("m.yaml", 4, column_of(line, secret), "literal-secret")
    assert description in diagnostic.message
    assert "'spec.api_key'" in diagnostic.message
    assert secret not in diagnostic.format()
    assert FAKE_TAIL not in str(diagnostic.to_json())


def test_secret_in_an_unknown_field_is_reported_alongside_the_unknown_field(
    validate: Validate,
) -> None:
    secret = "whsec_" + FAKE_TAIL
    text = f"""\
    apiVersion: reconcile.konghq.dev/v1
    kind: TaxCode
    metadata: {{name: t}}
    spec:
      key: t
      stripe_tax_code: txcd_10000000
      webhook: {{secret: "prefix {secret}"}}
    """
    report = validate(text)
    assert [at(d) for d in report.diagnostics] == [
        ("m.yaml", 7, 3, "unknown-field"),
        ("m.yaml", 7, 21, "literal-secret"),
    ]
    assert all(FAKE_TAIL not in d.format() for d in report.diagnostics)


def test_secret_as_a_mapping_key_and_in_labels(validate: Validate) -> None:
    secret = "sk_live_" + FAKE_TAIL
    text = f"""\
    apiVersion: reconcile.konghq.dev/v1
    kind: TaxCode
    metadata:
      name: t
      labels: {{{secret}: x}}
    spec: {{key: t, stripe_tax_code: txcd_10000000}}
    """
    codes = [at(d) for d in validate(text).diagnostics]
    assert ("m.yaml", 5, 12, "literal-secret") in codes


def test_prose_mentioning_a_prefix_is_not_a_secret(validate: Validate) -> None:
    text = """\
    apiVersion: reconcile.konghq.dev/v1
    kind: StripeApp
    metadata: {name: s2}
    spec:
      description: the key is an sk_live_ key kept in the vault
      api_key: "${env:STRIPE_LIVE_KEY}"
    """
    assert validate(text).valid


def test_comments_are_not_scanned(validate: Validate) -> None:
    text = """\
    # rotated the old sk_test_ key 2025-01
    apiVersion: reconcile.konghq.dev/v1
    kind: StripeApp
    metadata: {name: s2}
    spec: {api_key: "${env:K}"}
    """
    assert validate(text).valid


def test_secret_in_the_project_file(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    secret = "rk_live_" + FAKE_TAIL
    (root / "reconcile.yaml").write_text(
        "targets:\n  prod:\n    type: konnect\n    region: us\n"
        f"    konnect_token: ${{env:T}}\n    stripe_api_key: {secret}\n"
    )
    diagnostic = only(validate_directory(root))
    assert at(diagnostic) == ("reconcile.yaml", 6, 21, "literal-secret")
    assert diagnostic.subject == "Project/reconcile.yaml"
    assert FAKE_TAIL not in diagnostic.format()


def test_a_secret_where_a_name_kind_or_key_belongs_is_not_echoed(validate: Validate) -> None:
    secret = "sk_test_" + FAKE_TAIL
    text = f"""\
    apiVersion: reconcile.konghq.dev/v1
    kind: {secret}
    metadata: {{name: {secret}}}
    ---
    apiVersion: reconcile.konghq.dev/v1
    kind: TaxCode
    metadata: {{name: t}}
    spec: {{key: t, stripe_tax_code: txcd_10000000, {secret}: 1, {secret}: 2}}
    """
    report = validate(text)
    codes = {d.code for d in report.diagnostics}
    assert {"literal-secret", "unknown-kind", "unknown-field", "duplicate-key"} <= codes
    for diagnostic in report.diagnostics:
        assert FAKE_TAIL not in diagnostic.format() + str(diagnostic.to_json())
    assert "sk_test_<redacted>" in " ".join(d.message for d in report.diagnostics)


def test_a_key_split_over_two_scalars_is_no_secret(validate: Validate) -> None:
    """The document's scalars are searched joined together: the join spells nothing."""
    text = f"""\
    apiVersion: reconcile.konghq.dev/v1
    kind: StripeApp
    metadata: {{name: s2}}
    spec:
      api_key: ${{env:STRIPE_API_KEY}}
      description: sk_test_
      labels: {{{FAKE_TAIL}: x}}
    """
    assert all(d.code != "literal-secret" for d in validate(text).diagnostics)


def test_every_literal_secret_of_a_document_is_reported_once(validate: Validate) -> None:
    first, second = "sk_test_" + FAKE_TAIL, "whsec_" + FAKE_TAIL
    text = f"""\
    apiVersion: reconcile.konghq.dev/v1
    kind: StripeApp
    metadata: {{name: s2}}
    spec:
      api_key: {first}
      description: {second}
    """
    found = [d for d in validate(text).diagnostics if d.code == "literal-secret"]
    assert [d.position.line for d in found] == [5, 6]
