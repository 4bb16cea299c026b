"""Every command that reads manifests refuses bad ones the same way: each problem at its
file:line:col on stderr, then the summary, exit 1, and not one request to an API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, write_manifests

BROKEN_TAX_CODE = """\
apiVersion: reconcile.konghq.dev/v1
kind: TaxCode
metadata: {name: saas}
spec:
  key: saas
  display_name: SaaS
  stripe_tax_code: txcd_123
"""
PROBLEMS = [
    "tax-code.yaml:6:3: TaxCode/saas: unknown field 'spec.display_name'",
    "tax-code.yaml:7:20: TaxCode/saas: spec.stripe_tax_code: must be a Stripe tax code: "
    "'txcd_' followed by 8 digits",
]


@pytest.mark.parametrize(
    "command",
    [
        ["plan"],
        ["plan", "--output", "json"],
        ["apply", "--auto-approve"],
        ["drift"],
        ["adopt", "tax_code.saas"],
        ["checkout-url", "acme", "--success-url", "https://example.com/done"],
    ],
    ids=lambda args: " ".join(args),
)
def test_bad_manifests_are_listed_and_nothing_is_sent(
    served_project: Path, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    write_manifests(served_project, STRIPE_APP)
    (served_project / "tax-code.yaml").write_text(BROKEN_TAX_CODE)
    monkeypatch.chdir(served_project)
    admin.delete("/stats").raise_for_status()
    verb, *options = command
    result = CliRunner().invoke(main, [verb, ".", *options])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [*PROBLEMS, "Error: 2 errors in 1 file"]
    assert admin.get("/stats").json()["total"] == 0
