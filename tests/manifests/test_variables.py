"""`${var:NAME}` and a target's manifest paths: values put in place as if written there,
problems told at the reference, and secrets never taken from vars."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.manifests import BillingProfile, StripeApp, validate_directory
from reconciler.manifests.project import UnknownTarget
from reconciler.manifests.target_view import TargetNeeded
from reconciler.manifests.validation import validate_targets

APP = """\
apiVersion: reconcile.konghq.dev/v1
kind: StripeApp
metadata:
  name: stripe
  labels: {team: "${var:TEAM}"}
spec:
  name: Stripe ${var:SUFFIX}
  api_key: ${env:STRIPE_API_KEY}
  livemode: ${var:LIVE}
"""


def project(tmp_path: Path, variables: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "reconcile.yaml").write_text(
        f"default_target: staging\ntargets:\n  staging:\n    type: sandbox\n    vars: {variables}\n"
    )
    for name, text in (files or {"app.yaml": APP}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def problems(root: Path, target: str | None = None) -> list[tuple[str, int, int, str]]:
    report = validate_directory(root, target)
    return [(d.code, d.position.line, d.position.column, d.message) for d in report.diagnostics]


def test_a_var_takes_its_type_alone_and_its_text_inside_other_text(tmp_path: Path) -> None:
    root = project(tmp_path, "{TEAM: billing, SUFFIX: true, LIVE: false}")
    report = validate_directory(root)
    assert report.valid, report.diagnostics
    assert report.manifests is not None and report.manifests.target == "staging"
    (app,) = report.manifests.of_kind(StripeApp)
    assert app.spec.livemode is False
    assert app.spec.name == "Stripe true"
    assert app.metadata.labels == {"team": "billing"}


def test_a_value_of_the_wrong_type_is_told_at_the_reference(tmp_path: Path) -> None:
    root = project(tmp_path, "{TEAM: 42, SUFFIX: x, LIVE: 'no'}")
    found = problems(root)
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("wrong-type", 5, 19),
        ("wrong-type", 9, 13),
    ]
    assert all(m.endswith("of target 'staging')") for *_, m in found)
    assert "${var:LIVE}" in found[1][3]


def test_an_undefined_var_is_told_once_at_its_reference(tmp_path: Path) -> None:
    root = project(tmp_path, "{TEAM: billing, SUFFIX: x}")
    assert problems(root) == [
        (
            "undefined-var",
            9,
            13,
            "${var:LIVE} is not defined for target 'staging': add LIVE under "
            "targets.staging.vars in reconcile.yaml",
        )
    ]


def test_a_malformed_reference_is_told(tmp_path: Path) -> None:
    text = APP.replace("${var:SUFFIX}", "${var:2nd}")
    root = project(tmp_path, "{TEAM: a, LIVE: true}", {"app.yaml": text})
    assert [p[:3] for p in problems(root)] == [("var-reference", 7, 16)]


def test_a_secret_field_never_takes_a_var(tmp_path: Path) -> None:
    text = APP.replace("${env:STRIPE_API_KEY}", "${var:KEY}")
    root = project(tmp_path, "{TEAM: a, SUFFIX: b, LIVE: true, KEY: STRIPE}", {"app.yaml": text})
    ((code, line, column, message),) = problems(root)
    assert (code, line, column) == ("secret-reference", 8, 12)
    assert "never the secret itself" in message and "${var:KEY}" in message


def test_a_var_holding_a_reference_or_a_key_is_refused_in_reconcile_yaml(tmp_path: Path) -> None:
    key = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    root = project(tmp_path, f"{{TEAM: '${{env:TEAM}}', SUFFIX: {key}, LIVE: true}}")
    report = validate_directory(root)
    codes = sorted(d.code for d in report.diagnostics if d.file.name == "reconcile.yaml")
    assert codes == ["literal-secret", "var-value"]
    assert key not in repr(report.diagnostics)


def test_a_target_reads_the_paths_and_globs_it_lists(tmp_path: Path) -> None:
    profile = (
        "apiVersion: reconcile.konghq.dev/v1\nkind: BillingProfile\nmetadata: {name: main}\n"
        "spec:\n  name: Main\n  default: true\n  app: stripe\n"
        "  supplier: {name: ACME, addresses: {billing_address: {country: US}}}\n"
    )
    files = {
        "common/profiles/main.yaml": profile,
        "staging/app.yaml": APP,
        "production/app.yaml": APP.replace("stripe\n  labels", "other\n  labels"),
    }
    root = project(tmp_path, "{TEAM: a, SUFFIX: b, LIVE: false}", files)
    text = (root / "reconcile.yaml").read_text()
    listed = "    manifests: ['common/**/*.yaml', staging/]\n"
    (root / "reconcile.yaml").write_text(text + listed)
    report = validate_directory(root)
    assert report.valid, report.diagnostics
    assert report.manifests is not None
    assert [m.name for m in report.manifests.of_kind(BillingProfile)] == ["main"]
    assert [m.name for m in report.manifests.of_kind(StripeApp)] == ["stripe"]


def test_a_listed_path_that_leads_nowhere_is_told_in_reconcile_yaml(tmp_path: Path) -> None:
    root = project(tmp_path, "{TEAM: a, SUFFIX: b, LIVE: false}")
    text = (root / "reconcile.yaml").read_text()
    (root / "reconcile.yaml").write_text(text + "    manifests: [app.yaml, stagign/, '*.yml']\n")
    found = [
        (d.code, d.position.line, d.position.column) for d in validate_directory(root).diagnostics
    ]
    assert found == [("manifest-path", 6, 27), ("manifest-path", 6, 37)]


def test_targets_are_named_or_asked_for(tmp_path: Path) -> None:
    root = project(tmp_path, "{TEAM: a, SUFFIX: b, LIVE: false}")
    with pytest.raises(UnknownTarget, match=r"no target 'prod' in reconcile\.yaml"):
        validate_directory(root, "prod")
    text = (root / "reconcile.yaml").read_text().replace("default_target: staging\n", "")
    (root / "reconcile.yaml").write_text(text + "  other:\n    type: sandbox\n")
    with pytest.raises(TargetNeeded, match="choose one with --target"):
        validate_directory(root)
    reports = validate_targets(root)
    assert [(r.target, r.valid) for r in reports] == [("staging", True), ("other", False)]
    assert {d.code for d in reports[1].diagnostics} == {"undefined-var"}
