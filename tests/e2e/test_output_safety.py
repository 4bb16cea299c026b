"""What leaves reconcile carries no secret and no server's terminal control sequence, and the
files of account data it writes are private.

Konnect is the sandbox seen through a gateway on 127.0.0.1 that misbehaves as real ones do:
it echoes the request's Authorization header, and terminal escapes, into the names it returns
and into the error document it answers writes with. The sandbox cannot be made to do this itself.
"""

from __future__ import annotations

import json
import re
import stat
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.manifests import load_manifests
from reconciler.manifests.secret_patterns import redact
from reconciler.sandbox import SandboxConfig, SandboxServer
from reconciler.targets import SANDBOX_DB, connect
from tests.e2e.worlds import declare_sandbox

TOKEN = "kpat_" + "Zq7Xw2Lm9Pv4Rt6Yb1Nc8Hd3Jf5Gk0SsQe"
# Clear the screen, retitle the window, a hyperlink, and an 8-bit CSI: none may reach a terminal.
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\\x9b31m"
# Every C0 and C1 control character but newline and tab.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TAX_CODES = """\
apiVersion: reconcile.konghq.dev/v1
kind: TaxCode
metadata: {name: existing}
spec: {key: existing, name: Existing, stripe_tax_code: txcd_10103001}
---
apiVersion: reconcile.konghq.dev/v1
kind: TaxCode
metadata: {name: fresh}
spec: {key: fresh, name: Fresh, stripe_tax_code: txcd_10103001}
"""


class EchoingGateway:
    """Forwards to the sandbox; echoes the Authorization header and escapes in the name of the
    tax code `existing`, and in a 500 page for every POST (or, refusing, for every GET)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.Client(base_url=upstream)
        self.refuse_reads = False
        self.escapes_in_names = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EchoingGateway:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
        self.upstream.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if gateway.refuse_reads:
                    self._error_page(401)
                else:
                    self._forward(rewrite=self.path.startswith("/v3/openmeter/tax-codes"))

            def do_POST(self) -> None:
                self._error_page(500)

            def do_PUT(self) -> None:
                self._forward(rewrite=False)

            def _forward(self, *, rewrite: bool) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                response = gateway.upstream.request(
                    self.command,
                    self.path,
                    content=self.rfile.read(length) if length else None,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                body = response.content
                if rewrite and response.status_code == 200:
                    body = json.dumps(self._echoed_in_names(response.json())).encode()
                self._send(response.status_code, "application/json", body)

            def _echoed_in_names(self, answer: dict[str, Any]) -> dict[str, Any]:
                for code in answer.get("data", [answer]):  # a page, or the code itself
                    if code["key"] == "existing":
                        escapes = ESCAPES if gateway.escapes_in_names else ""
                        code["name"] = f"Existing {self.headers['Authorization']} {escapes}"
                return answer

            def _error_page(self, status: int) -> None:
                # A problem document, whose detail reconcile shows (an HTML page it does not).
                echoed = self.headers["Authorization"]
                detail = f"{echoed} (key ...{TOKEN[-12:]}) {ESCAPES}"
                page = {"type": "about:blank", "title": "Error", "status": status, "detail": detail}
                self._send(status, "application/problem+json", json.dumps(page).encode())

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output is the CLI's

        return Handler


@pytest.fixture
def sandbox_config(tmp_path: Path) -> SandboxConfig:
    return SandboxConfig(db_path=tmp_path / "sandbox.db", konnect_token=TOKEN)


@pytest.fixture
def gateway(sandbox_server: SandboxServer) -> Iterator[EchoingGateway]:
    with EchoingGateway(sandbox_server.url) as running:
        yield running


@pytest.fixture
def production(
    tmp_path: Path,
    gateway: EchoingGateway,
    konnect_http: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A project whose Konnect target is reached through the gateway with KONNECT_TOKEN, and
    a live tax code `existing` whose name the gateway tampers with."""
    monkeypatch.setenv("KONNECT_TOKEN", TOKEN)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    body = {
        "key": "existing",
        "name": "Existing",
        "labels": {"managed-by": "reconcile"},
        "app_mappings": [{"app_type": "stripe", "tax_code": "txcd_10103001"}],
    }
    assert konnect_http.post("/tax-codes", json=body).status_code == 201
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "reconcile.yaml").write_text(
        "default_target: production\ntargets:\n  production:\n    type: konnect\n"
        f"    base_url: {gateway.url}/v3\n    konnect_token: ${{env:KONNECT_TOKEN}}\n"
    )
    (directory / "tax-codes.yaml").write_text(TAX_CODES)
    return directory


def reconcile(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def assert_safe(text: str) -> None:

    assert TOKEN not in text
    assert TOKEN[-8:] not in text
    assert not CONTROL.search(text), CONTROL.findall(text)


def test_echoed_tokens_and_escapes_reach_no_output_report_or_planfile(
    production: Path, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.out"
    planned = reconcile("plan", production, "-out", planfile)
    as_json = reconcile("plan", production, "--output", "json")
    report = tmp_path / "report.json"
    applied = reconcile("apply", planfile, "--report", report)

    assert (planned.exit_code, as_json.exit_code, applied.exit_code) == (0, 0, 1)
    # The tampered name is shown, and the echo in the error document, each with the secret cut.
    assert '"Existing Bearer <redacted> \\u001b[2J' in planned.stdout
    assert "Bearer <redacted>" in json.loads(as_json.stdout)["actions"][0]["changes"][0]["before"]
    [failed] = [o for o in json.loads(report.read_text())["outcomes"] if o["status"] == "failed"]
    assert "500" in failed["error"]
    assert "Bearer <redacted> (key ...<redacted>)" in failed["error"]
    assert "Bearer <redacted> (key ...<redacted>)" in applied.stdout
    for result in (planned, as_json, applied):
        assert_safe(result.stdout)
        assert_safe(result.stderr)
    assert_safe(planfile.read_text())
    assert_safe(report.read_text())


def test_a_refusal_that_quotes_the_token_shows_it_nowhere(
    production: Path, gateway: EchoingGateway, tmp_path: Path
) -> None:
    gateway.refuse_reads = True
    report = tmp_path / "report.json"
    refused = reconcile("apply", production, "--auto-approve", "--report", report)
    assert refused.exit_code == 1
    assert "401" in refused.stderr
    assert "Bearer <redacted>" in refused.stderr
    assert "Bearer <redacted>" in json.loads(report.read_text())["refused"]
    assert_safe(refused.stdout)
    assert_safe(refused.stderr)
    assert_safe(report.read_text())


def test_an_export_of_names_quoting_the_token_holds_it_in_no_file(
    production: Path, gateway: EchoingGateway, tmp_path: Path
) -> None:
    # Escapes left out: a name with them may not load as a manifest, and nothing is written.
    gateway.escapes_in_names = False
    out = tmp_path / "out"
    exported = reconcile("export", production, out)
    assert exported.exit_code == 0, exported.output
    assert "name: 'Existing Bearer <redacted> '" in (out / "tax-code.yaml").read_text()
    files = [path.read_text() for path in out.rglob("*") if path.is_file()]
    for text in [exported.stdout, exported.stderr, *files]:
        assert_safe(text)


def test_connecting_registers_the_token_and_every_stripe_key_the_target_may_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {
        "KONNECT_TOKEN": TOKEN,
        "STRIPE_API_KEY": "sk_test_" + "51QaZ8Lm2Nx7Pq4Rs9Tu3Vw6Xy1Za5Bc",
        "STRIPE_API_KEY_EU": "rk_live_" + "51EuY7Kp3Mz8Lq2Ws6Ed4Rf9Tg1Yh5Uj",
        "STRIPE_TAX_KEY": "sk_live_" + "51TxC4Vb8Nm2Qw6Er1Ty5Ui9Op3As7Df",
    }
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    project = tmp_path / "project"
    project.mkdir()
    (project / "reconcile.yaml").write_text(
        "default_target: production\ntargets:\n  production:\n    type: konnect\n"
        "    base_url: http://127.0.0.1:9/v3\n    konnect_token: ${env:KONNECT_TOKEN}\n"
        "    stripe_api_key: ${env:STRIPE_TAX_KEY}\n"
    )
    (project / "apps.yaml").write_text(
        "\n---\n".join(
            "apiVersion: reconcile.konghq.dev/v1\nkind: StripeApp\n"
            f"metadata: {{name: {name}}}\nspec: {{api_key: '${{env:{variable}}}'}}"
            for name, variable in [("us", "STRIPE_API_KEY"), ("eu", "STRIPE_API_KEY_EU")]
        )
    )
    tails = [f"...{value[-9:]}" for value in keys.values()]
    assert redact(" ".join(tails)) == " ".join(tails)
    with connect(load_manifests(project), None):
        pass  # nothing is read: a key is registered before any server could echo it
    assert redact(" ".join(tails)) == " ".join(["...<redacted>"] * len(keys))


def test_a_faults_traceback_quoting_the_token_is_printed_without_it(
    production: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"reconcile broke holding Bearer {TOKEN} \x1b]0;owned\x07")

    monkeypatch.setattr("reconciler.engine.planning.planner.read_live_state", broken)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    with pytest.raises(RuntimeError) as fault:
        CliRunner().invoke(main, ["plan", str(production)], catch_exceptions=False)
    # What Python does with a fault that leaves main: hand it to the excepthook.
    sys.excepthook(fault.type, fault.value, fault.tb)
    printed = capsys.readouterr().err
    assert printed.endswith(
        "RuntimeError: reconcile broke holding Bearer <redacted> \\u001b]0;owned\\u0007\n"
    )
    assert_safe(printed)


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("apply_first", [False, True], ids=["plan-first", "apply-first"])
def test_reports_planfiles_and_the_sandbox_world_are_private(
    tmp_path: Path, apply_first: bool
) -> None:
    # Whichever command comes first creates `.reconcile/`: plan for the world, apply for its lock.
    project = declare_sandbox(tmp_path / "fresh")
    (project / "tax-codes.yaml").write_text(TAX_CODES)
    planfile = project.parent / "plan.out"
    report = project.parent / "report.json"
    commands = [
        ("plan", project, "-out", planfile),
        ("apply", project, "--auto-approve", "--report", report),
    ]
    for command in reversed(commands) if apply_first else commands:
        assert reconcile(*command).exit_code == 0
    state = project / SANDBOX_DB.parent
    world_files = [state / SANDBOX_DB.name, *state.glob(f"{SANDBOX_DB.name}-*")]
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in [planfile, report, *world_files]}
    assert modes == dict.fromkeys(modes, 0o600)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
