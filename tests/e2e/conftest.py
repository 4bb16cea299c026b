"""End-to-end fixtures: a manifest directory whose sandbox world tests seed before planning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reconciler.sandbox import SandboxConfig, create_app
from reconciler.targets import SANDBOX_DB
from tests.e2e.worlds import World


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    directory = tmp_path / "manifests"
    (directory / SANDBOX_DB).parent.mkdir(parents=True)
    return directory


@pytest.fixture
def world(project: Path) -> Iterator[World]:
    app = create_app(SandboxConfig(db_path=project / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as client:
        yield World(client)
