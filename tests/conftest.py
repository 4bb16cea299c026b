"""Fixtures shared by every test: sandbox worlds in-process and over real HTTP, and manifest
projects whose sandbox world a test builds before running the CLI on them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.testclient import TestClient

from reconciler.manifests.secret_patterns import forget_secrets
from reconciler.sandbox import SandboxConfig, SandboxServer, create_app
from reconciler.sandbox.stripe_api.world import BUILT_IN_TEST_KEY
from reconciler.targets import SANDBOX_DB
from tests.e2e.worlds import World, declare_sandbox

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
# The official OpenAPI documents the spec tests read, never committed here: beside the
# repository, or where RECONCILE_SPECS_DIR says (CI fetches them there, pinned by commit and
# checksum in tests/openapi-documents.sha256).
SPECS_VARIABLE = "RECONCILE_SPECS_DIR"
SPECS_DIR = Path(os.environ.get(SPECS_VARIABLE) or SHARED_DIR / "reference" / "specs")
# Every skip for a missing document says this, so that the summary can count them.
SPEC_MISSING = "OpenAPI document is not at"


def spec_missing(what: str, path: Path) -> str:
    """The reason a spec test is skipped: where the document was looked for, how to provide it."""
    return (
        f"the {what} {SPEC_MISSING} {path}: put the official documents in "
        f"../shared/reference/specs/ or name their directory in {SPECS_VARIABLE} "
        "(tests/openapi-documents.sha256 pins them)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One loud line when spec tests were skipped: a clone without the documents checks less
    than CI does, and a quiet `s` among the dots does not say so."""
    skipped = terminalreporter.stats.get("skipped", [])
    missing = [report for report in skipped if SPEC_MISSING in str(report.longrepr)]
    if missing:
        terminalreporter.write_line(
            f"{len(missing)} SPEC TESTS SKIPPED: the official OpenAPI documents are not in "
            f"{SPECS_DIR}; set {SPECS_VARIABLE} to a directory holding the files "
            "tests/openapi-documents.sha256 pins (CI fetches them).",
            red=True,
            bold=True,
        )


# The one key a sandbox world accepts without registration; other keys are registered first.
SANDBOX_STRIPE_KEY = BUILT_IN_TEST_KEY


@pytest.fixture
def sandbox_config(tmp_path: Path) -> SandboxConfig:
    return SandboxConfig(db_path=tmp_path / "sandbox.db")


@pytest.fixture
def sandbox_app(sandbox_config: SandboxConfig) -> Starlette:
    return create_app(sandbox_config)


@pytest.fixture
def asgi(sandbox_app: Starlette) -> Iterator[TestClient]:
    """The sandbox in-process, without sockets: fast behaviour tests."""
    with TestClient(sandbox_app, base_url="http://sandbox.test") as client:
        yield client


@pytest.fixture
def sandbox_server(sandbox_config: SandboxConfig) -> Iterator[SandboxServer]:
    """The sandbox on a free loopback port, as the real clients see it."""
    with SandboxServer(sandbox_config) as server:
        yield server


@pytest.fixture
def konnect_http(
    sandbox_server: SandboxServer, sandbox_config: SandboxConfig
) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox_server.url + "/v3/openmeter",
        headers={"Authorization": f"Bearer {sandbox_config.konnect_token}"},
    ) as client:
        yield client


@pytest.fixture
def stripe_client(sandbox_server: SandboxServer) -> stripe.StripeClient:
    return stripe.StripeClient(
        SANDBOX_STRIPE_KEY,
        base_addresses={"api": sandbox_server.url},
        max_network_retries=0,
    )


@pytest.fixture
def admin(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    """The /_sandbox admin API of the real-socket sandbox: reset, seed, stats, faults."""
    with httpx.Client(base_url=sandbox_server.url + "/_sandbox") as client:
        yield client


@pytest.fixture(autouse=True)
def no_konnect_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their target; a token in the shell running them must not choose for them."""
    for name in (
        "KONNECT_TOKEN",
        "KONNECT_REGION",
        "KONNECT_BASE_URL",
        "STRIPE_BASE_URL",
        "RECONCILE_LOG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A manifest directory whose default target is the embedded sandbox, served from its
    `.reconcile/`; it holds no manifest yet."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    directory = declare_sandbox(tmp_path / "manifests")
    (directory / SANDBOX_DB).parent.mkdir(parents=True)
    return directory


@pytest.fixture
def world(project: Path) -> Iterator[World]:
    """The project's sandbox world, in-process, for building and inspecting state."""
    app = create_app(SandboxConfig(db_path=project / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield World(client)


@pytest.fixture
def served_project(tmp_path: Path, sandbox_server: SandboxServer) -> Path:
    """A manifest directory whose target `local` is the running `sandbox_server`, for tests
    that configure the server (faults, stats) or read its request counts."""
    directory = tmp_path / "manifests"
    directory.mkdir()
    (directory / "reconcile.yaml").write_text(
        f"targets:\n  local:\n    type: sandbox\n    url: {sandbox_server.url}\n"
    )
    return directory


@pytest.fixture(autouse=True)
def no_registered_secrets() -> Iterator[None]:
    """Secrets a command registers are cut from all later output of the process: each test
    starts and ends with none, so that one test's token cannot hide text from another."""
    forget_secrets()
    yield
    forget_secrets()


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which files are world-readable unless created private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)
