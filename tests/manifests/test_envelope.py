"""apiVersion, kind, metadata and the shape of a document."""

from __future__ import annotations

from tests.manifests.conftest import Validate, at, only


def test_unknown_kind_suggests_the_closest(validate: Validate) -> None:
    diagnostic = only(
        validate("apiVersion: reconcile.konghq.dev/v1\nkind: TaxCodes\nmetadata: {name: x}\n")
    )
    assert at(diagnostic) == ("m.yaml", 2, 7, "unknown-kind")
    assert "did you mean 'TaxCode'?" in diagnostic.message


def test_missing_kind(validate: Validate) -> None:
    diagnostic = only(validate("apiVersion: reconcile.konghq.dev/v1\nmetadata: {name: x}\n"))
    assert at(diagnostic) == ("m.yaml", 1, 1, "unknown-kind")


def test_wrong_api_version_is_reported_once(validate: Validate) -> None:
    report = validate(
        """\
        apiVersion: reconcile.konghq.dev/v2
        kind: StripeApp
        metadata: {name: stripe2}
        spec: {api_key: "${env:A}"}
        """
    )
    assert at(only(report)) == ("m.yaml", 1, 13, "unknown-api-version")


def test_a_document_must_be_a_mapping(validate: Validate) -> None:
    assert at(only(validate("- a\n- b\n"))) == ("m.yaml", 1, 1, "not-a-mapping")


def test_missing_metadata_name_and_spec(validate: Validate) -> None:
    report = validate("apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {}\n")
    assert [at(d) for d in report.diagnostics] == [
        ("m.yaml", 1, 1, "missing-field"),
        ("m.yaml", 3, 1, "missing-field"),
    ]
    assert [d.message for d in report.diagnostics] == [
        "missing required field 'spec'",
        "missing required field 'metadata.name'",
    ]


def test_bad_metadata_name(validate: Validate) -> None:
    report = validate(
        """\
        apiVersion: reconcile.konghq.dev/v1
        kind: StripeApp
        metadata: {name: Stripe_App}
        spec: {api_key: "${env:A}"}
        """
    )
    assert at(only(report)) == ("m.yaml", 3, 18, "bad-format")


def test_empty_documents_are_ignored(validate: Validate) -> None:
    report = validate("---\n---\n# only a comment\n")
    assert report.valid
    assert report.documents == 2  # the base file's
