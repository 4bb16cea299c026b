"""Real organizations first: without reconcile.yaml the target comes from the environment,
never from a silent sandbox; a running sandbox server stands in for Konnect here."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.core.version import VERSION
from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.targets import SANDBOX_STRIPE_KEY
from tests.e2e.tls_servers import HAS_OPENSSL, plain_server, self_signed_certificate, tls_server
from tests.e2e.worlds import STRIPE_APP, manifest, write_manifests

SAAS = manifest(
    "TaxCode", "saas", {"key": "saas", "name": "SaaS", "stripe_tax_code": "txcd_10103001"}
)


def reconcile(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def free_port() -> int:
    """A loopback port nobody listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# For the tests of an unreachable Konnect: Stripe (api.stripe.com there) is left unasked, so
# that nothing leaves this machine and the failure shown is Konnect's.
KONNECT_ONLY = "--skip-stripe-checks"


def listing(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


@pytest.fixture
def manifests_only(tmp_path: Path) -> Path:
    """A directory holding manifests and nothing else: no reconcile.yaml anywhere above."""
    return write_manifests(tmp_path / "billing", STRIPE_APP, SAAS)


@pytest.fixture
def konnect_env(
    monkeypatch: pytest.MonkeyPatch, sandbox_server: SandboxServer, sandbox_config: SandboxConfig
) -> str:
    """The environment of a real organization, the sandbox server standing in for Konnect
    and for Stripe."""
    monkeypatch.setenv("KONNECT_TOKEN", sandbox_config.konnect_token)
    monkeypatch.setenv("KONNECT_BASE_URL", sandbox_server.url + "/v3")
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    monkeypatch.setenv("STRIPE_BASE_URL", sandbox_server.url)
    return sandbox_config.konnect_token


def test_the_environment_names_the_konnect_target_and_read_only_commands_write_nothing(
    manifests_only: Path, konnect_env: str, sandbox_server: SandboxServer
) -> None:
    before = listing(manifests_only.parent)
    planned = reconcile("plan", str(manifests_only))
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.splitlines()[0] == (
        f"Target: environment (konnect, {sandbox_server.url}/v3, Stripe test mode, "
        f"Stripe at {sandbox_server.url})"
    )
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in planned.stdout
    drifted = reconcile("drift", str(manifests_only))
    assert drifted.exit_code == 2, drifted.output
    assert reconcile("validate", str(manifests_only)).exit_code == 0
    assert listing(manifests_only.parent) == before
    assert konnect_env not in planned.output + drifted.output


def test_the_environment_target_checks_and_applies_against_stripe_at_stripe_base_url(
    manifests_only: Path, konnect_env: str, admin: httpx.Client
) -> None:
    admin.delete("/stats").raise_for_status()
    applied = reconcile("apply", str(manifests_only), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." in applied.stdout
    stripe_reads = [
        route for route in admin.get("/stats").json()["requests"] if route.startswith("GET /v1/")
    ]
    assert "GET /v1/account" in stripe_reads
    assert reconcile("plan", str(manifests_only), "--detailed-exitcode").exit_code == 0
    # A tax code Stripe does not know blocks: Stripe's catalogue was read, at STRIPE_BASE_URL.
    unknown = manifest(
        "TaxCode", "saas", {"key": "saas", "name": "SaaS", "stripe_tax_code": "txcd_12345678"}
    )
    write_manifests(manifests_only, STRIPE_APP, unknown)
    blocked = reconcile("plan", str(manifests_only))
    assert blocked.exit_code == 1, blocked.output
    assert "Stripe has no tax code txcd_12345678" in blocked.stdout
    assert konnect_env not in applied.output + blocked.output


def test_stripe_base_url_follows_the_rules_of_konnect_base_url(
    manifests_only: Path, konnect_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_BASE_URL", "http://stripe.internal.example")
    result = reconcile("plan", str(manifests_only))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the Konnect target from KONNECT_REGION/KONNECT_BASE_URL/STRIPE_BASE_URL: "
        "http:// would send the Stripe keys unencrypted: use https://, a loopback address "
        "(127.0.0.1, ::1, localhost), or set `insecure: true` on the target\n"
    )


PUBLISHABLE = "pk_live_" + "Q" * 24


@pytest.mark.parametrize("command", ["plan", "drift", "apply"])
def test_a_publishable_key_is_refused_before_any_request(
    manifests_only: Path,
    konnect_env: str,
    admin: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", PUBLISHABLE)
    admin.delete("/stats").raise_for_status()
    before = listing(manifests_only.parent)
    result = reconcile(command, str(manifests_only))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: STRIPE_API_KEY (StripeApp/stripe) holds a live Stripe publishable key "
        "(pk_live_...), which reads no Stripe account, customer or tax code: set it to a "
        "secret (sk_) or restricted (rk_) key of that account"
    ]
    assert admin.get("/stats").json()["total"] == 0
    assert listing(manifests_only.parent) == before
    assert PUBLISHABLE not in result.output


def test_a_publishable_key_is_refused_for_a_sandbox_target_too(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "pk_test_" + "q" * 24)
    result = reconcile("plan", str(manifests_only), "--target", "sandbox")
    assert result.exit_code == 1
    assert "holds a test Stripe publishable key (pk_test_...)" in result.stderr
    assert listing(manifests_only) == ["manifests.yaml"]


def test_without_a_token_or_project_file_nothing_runs_and_the_error_says_how_to_declare(
    manifests_only: Path,
) -> None:
    for command in ("plan", "drift", "apply"):
        if command == "apply":  # the read-only commands have left nothing behind
            assert listing(manifests_only) == ["manifests.yaml"]
        result = reconcile(command, str(manifests_only))
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: no target to run against: set KONNECT_TOKEN (with KONNECT_REGION or "
            "KONNECT_BASE_URL, and STRIPE_API_KEY) for a Konnect organization, declare targets "
            "in reconcile.yaml (`reconcile init` writes one), or pass --target sandbox for the "
            "local sandbox\n"
        )
        assert "Traceback" not in result.output


KONNECT_PROJECT = """\
targets:
  prod:
    type: konnect
    region: eu
    konnect_token: ${env:KONNECT_TOKEN}
"""
BROKEN_TAX_CODE = "apiVersion: reconcile.konghq.dev/v1\nkind: TaxCode\nmetadata: {name: x}\n"


@pytest.mark.parametrize(
    ("project_file", "manifests", "args", "error"),
    [
        (None, None, [], "Error: no target to run against: set KONNECT_TOKEN"),
        (KONNECT_PROJECT, None, [], "Error: environment variable KONNECT_TOKEN is not set"),
        (KONNECT_PROJECT, None, ["--target", "staging"], "Error: no target 'staging'"),
        (None, BROKEN_TAX_CODE, ["--target", "sandbox"], "Error: 1 error in 1 file"),
    ],
    ids=["no-target", "unset-token", "unknown-target", "invalid-manifests"],
)
def test_an_apply_that_cannot_run_creates_nothing_on_disk(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    project_file: str | None,
    manifests: str | None,
    args: list[str],
    error: str,
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    directory = write_manifests(tmp_path / "billing", STRIPE_APP, SAAS)
    if project_file is not None:
        (directory / "reconcile.yaml").write_text(project_file)
    if manifests is not None:
        (directory / "broken.yaml").write_text(manifests)
    before = listing(tmp_path)
    monkeypatch.chdir(directory)
    result = reconcile("apply", "--auto-approve", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(error), result.stderr
    assert listing(tmp_path) == before


def test_the_sandbox_runs_when_named_and_says_it_ignores_a_token(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "x" * 40)
    result = reconcile("plan", str(manifests_only), "--target", "sandbox")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Target: sandbox (embedded sandbox, Stripe test mode)\n")
    assert result.stderr.splitlines() == [
        "Note: KONNECT_TOKEN is set, but target 'sandbox' is a sandbox and ignores it."
    ]


def test_a_refused_port_is_named_with_its_cause_after_announced_retries(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "y" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    monkeypatch.setenv("KONNECT_BASE_URL", f"http://127.0.0.1:{free_port()}/v3")
    result = reconcile("plan", str(manifests_only), KONNECT_ONLY)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        "Error: cannot reach 127.0.0.1: connection refused (is KONNECT_BASE_URL right? a proxy?)"
    )
    retries = [line for line in lines if line.startswith("retrying ")]
    assert retries[0].endswith("after connection refused, attempt 2 of 6")
    assert retries[-1].endswith("attempt 6 of 6")
    assert "Traceback" not in result.output


def test_a_host_that_does_not_resolve_fails_at_once(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RFC 6761: .invalid never resolves, so nothing leaves this machine.
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "z" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    monkeypatch.setenv("KONNECT_BASE_URL", "https://konnect.invalid/v3")
    result = reconcile("plan", str(manifests_only), KONNECT_ONLY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: cannot reach konnect.invalid: the host name does not resolve (DNS) "
        "(is KONNECT_BASE_URL right? a proxy?)"
    ]


@pytest.mark.skipif(not HAS_OPENSSL, reason="the self-signed certificate is made by openssl")
def test_an_untrusted_certificate_is_named_with_what_to_check(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "t" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    with tls_server(certificate, key) as port:
        monkeypatch.setenv("KONNECT_BASE_URL", f"https://127.0.0.1:{port}/v3")
        result = reconcile("plan", str(manifests_only), KONNECT_ONLY)
        assert result.exit_code == 1
        # Not retried: an untrusted certificate stays untrusted.
        assert result.stderr.splitlines() == [
            "Error: cannot reach 127.0.0.1: TLS certificate not trusted: self-signed certificate "
            "(is KONNECT_BASE_URL right? a proxy? if a proxy intercepts TLS, give its CA "
            "certificate in SSL_CERT_FILE)"
        ]
        # The advice holds: trusted through SSL_CERT_FILE, the server is reached and answers.
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        trusted = reconcile("plan", str(manifests_only), KONNECT_ONLY)
    assert trusted.exit_code == 1
    assert "401" in trusted.stderr and "cannot reach" not in trusted.stderr


def test_a_port_that_does_not_speak_tls_is_named_as_a_tls_failure(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONNECT_TOKEN", "kpat_" + "p" * 40)
    monkeypatch.setenv("STRIPE_API_KEY", SANDBOX_STRIPE_KEY)
    with plain_server() as port:
        monkeypatch.setenv("KONNECT_BASE_URL", f"https://127.0.0.1:{port}/v3")
        result = reconcile("plan", str(manifests_only), KONNECT_ONLY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: cannot reach 127.0.0.1: TLS handshake failed (is KONNECT_BASE_URL right? a "
        "proxy? does the server speak TLS (https://) at that address?)"
    ]


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "drift"])
def test_a_directory_without_manifests_is_an_error(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = reconcile(command, "--target", "sandbox") if command != "validate" else None
    result = result or reconcile(command)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: no manifests found"
    assert ".:1:1: Directory/.: no manifests found in . (YAML files of apiVersion" in result.output
    assert listing(empty) == []


def test_dir_defaults_to_the_current_directory(
    manifests_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(manifests_only)
    result = reconcile("plan", "--target", "sandbox")
    assert result.exit_code == 0, result.output
    assert "Plan: 2 to add" in result.stdout
    assert reconcile("validate").exit_code == 0
    assert reconcile("drift", "--target", "sandbox").exit_code == 2
    assert reconcile("apply", "--target", "sandbox", "--auto-approve").exit_code == 0
    exported = reconcile("export", ".", str(manifests_only.parent / "out"), "--target", "sandbox")
    assert exported.exit_code == 0, exported.output
    assert (manifests_only.parent / "out" / "stripe-app.yaml").is_file()


def test_reconcile_yaml_is_found_above_dir_up_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    (repository / "reconcile.yaml").write_text("default_target: sandbox\n")
    below = write_manifests(repository / "billing" / "prod", STRIPE_APP)
    result = reconcile("plan", str(below))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Target: sandbox (embedded sandbox, Stripe test mode)\n")
    assert (repository / ".reconcile" / "sandbox.db").is_file()
    # A project file above the repository root is another project's.
    (tmp_path / "reconcile.yaml").write_text("default_target: sandbox\n")
    (repository / "reconcile.yaml").unlink()
    outside = reconcile("plan", str(below))
    assert outside.exit_code == 1
    assert "no target to run against" in outside.stderr


def test_debug_logs_each_request_without_secrets(
    manifests_only: Path, konnect_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = reconcile("--debug", "plan", str(manifests_only))
    assert result.exit_code == 0, result.output
    requests = [line for line in result.stderr.splitlines() if line.startswith("GET ")]
    assert any(line.startswith("GET /openmeter/apps 200 ") for line in requests), requests
    assert all("request-id=" in line and " ms " in line for line in requests)
    assert konnect_env not in result.output
    monkeypatch.setenv("RECONCILE_LOG", "debug")
    by_variable = reconcile("plan", str(manifests_only))
    assert "GET /openmeter/apps 200 " in by_variable.stderr
    monkeypatch.delenv("RECONCILE_LOG")
    quiet = reconcile("plan", str(manifests_only))
    assert "GET /openmeter/apps" not in quiet.stderr


def test_a_rate_limited_read_announces_its_retries(
    manifests_only: Path, konnect_env: str, admin: httpx.Client
) -> None:
    faults = {"route_faults": {"GET /v3/openmeter/apps": 429}, "retry_after_seconds": 0}
    admin.put("/faults", json=faults).raise_for_status()
    result = reconcile("plan", str(manifests_only))
    assert result.exit_code == 1
    assert "retrying GET /openmeter/apps after 429, attempt 2 of 6" in result.stderr.splitlines()


def test_version() -> None:
    result = reconcile("--version")
    assert result.exit_code == 0
    assert result.stdout == f"reconcile, version {VERSION}\n"
