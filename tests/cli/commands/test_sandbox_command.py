"""`reconcile sandbox serve`: options reach the served sandbox, secrets never reach the output."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.sandbox.server import SandboxServer
from reconciler.sandbox.store import Store
from tests.conftest import SANDBOX_STRIPE_KEY

SECRET_TOKEN = "konnect-token-not-for-output-4711"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Instead of blocking until Ctrl+C, serve briefly and report what the sandbox says."""
    seen: dict[str, Any] = {}

    def serve_once(server: SandboxServer) -> None:
        with server:
            seen["faults"] = httpx.get(server.url + "/_sandbox/faults").json()
            seen["token_accepted"] = server.config.konnect_token == SECRET_TOKEN
            seen["db_path"] = server.config.db_path
            # A line that quotes the token, as a server's error might, logged while serving.
            logging.getLogger("reconcile").warning("echoed: Bearer %s", SECRET_TOKEN)

    monkeypatch.setattr(SandboxServer, "run", serve_once)
    return seen


def test_serve_passes_every_option_to_the_sandbox(tmp_path: Path, served: dict[str, Any]) -> None:
    db = tmp_path / "world.db"
    options = (
        "--port 0 --latency-ms 5 --fault-rate 0.25 --drop-rate 0.5 --rate-limit 40 --seed 11 "
        "--konnect-token-env MY_KONNECT_TOKEN"
    )
    result = CliRunner().invoke(
        main,
        ["sandbox", "serve", "--db", str(db), *options.split()],
        env={"MY_KONNECT_TOKEN": SECRET_TOKEN},
    )
    assert result.exit_code == 0, result.output
    faults = served["faults"]
    assert (faults["latency_ms"], faults["fault_rate"], faults["drop_rate"]) == (5, 0.25, 0.5)
    assert (faults["rate_limit"], faults["seed"]) == (40, 11)
    assert served["token_accepted"] and served["db_path"] == db
    assert "http://127.0.0.1:" in result.output and "/v3/openmeter" in result.output
    assert "$MY_KONNECT_TOKEN" in result.output
    assert SECRET_TOKEN not in result.output
    assert "echoed: Bearer <redacted>" in result.stderr


def test_serve_without_a_token_variable_uses_the_built_in_token(
    tmp_path: Path, served: dict[str, Any]
) -> None:
    args = ["sandbox", "serve", "--port", "0", "--db", str(tmp_path / "w.db")]
    result = CliRunner().invoke(main, args, env={"RECONCILE_SANDBOX_KONNECT_TOKEN": None})
    assert result.exit_code == 0, result.output
    assert not served["token_accepted"]
    assert "built-in sandbox token" in result.output


@pytest.mark.parametrize(
    "option", [["--fault-rate", "1.5"], ["--rate-limit", "0"], ["--port", "-1"], ["--seed", "x"]]
)
def test_serve_rejects_bad_options(option: list[str]) -> None:
    result = CliRunner().invoke(main, ["sandbox", "serve", *option])
    assert result.exit_code == 1
    assert "Invalid value" in result.output


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        args = ["sandbox", "serve", "--port", port, "--db", str(tmp_path / "w.db")]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"cannot listen on port {port}" in result.output


def _wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the sandbox process exited early"
        try:
            if httpx.get(url + "/_sandbox/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the sandbox process never became healthy")


def test_serve_as_a_real_process_shares_its_world_through_the_db(tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "shared.db"
    command = [sys.executable, "-m", "reconciler", "sandbox", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "RECONCILE_SANDBOX_KONNECT_TOKEN": SECRET_TOKEN},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        created = httpx.post(
            url + "/v1/customers",
            data={"name": "From the CLI sandbox"},
            headers={"Authorization": f"Bearer {SANDBOX_STRIPE_KEY}"},
        )
        assert created.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors
    assert output.startswith(f"Sandbox listening on {url}")
    assert output.rstrip().endswith("Sandbox stopped.")
    assert SECRET_TOKEN not in output + errors
    store = Store(db)
    try:
        found = store.find("stripe.customers")
    finally:
        store.close()
    assert [customer["name"] for customer in found] == ["From the CLI sandbox"]
