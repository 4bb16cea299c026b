"""The examples' loop run once, so that pages can show what the commands really print."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from reconciler.cli import main
from reconciler.sandbox import SandboxConfig, create_app
from reconciler.targets import SANDBOX_DB
from tests.docs.pages import REPO


@dataclass(frozen=True)
class Tour:
    """What each step of the tour printed on a copy of `examples/`, in a new sandbox."""

    validate_error: str
    plan: str
    apply: str
    plan_again: str
    drift: str


@pytest.fixture(scope="session")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tour]:
    workspace = tmp_path_factory.mktemp("tour")
    shutil.copytree(REPO / "examples", workspace / "examples", ignore=_sandbox_state)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("STRIPE_API_KEY", raising=False)
        patch.chdir(workspace)
        yield _run_tour(Path("examples"))


def _sandbox_state(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name == ".reconcile"]


def _run_tour(examples: Path) -> Tour:
    profile = examples / "billing-profiles" / "enterprise.yaml"
    valid = profile.read_text()
    profile.write_text(valid.replace("due_after: P30D", "due_after: 30 days"))
    validate_error = _reconcile("validate", str(examples), exit_code=1)
    profile.write_text(valid)
    plan = _reconcile("plan", str(examples), "--no-color")
    applied = _reconcile("apply", str(examples), "--auto-approve", "--no-color")
    plan_again = _reconcile("plan", str(examples), "--no-color", "--detailed-exitcode")
    _edit_in_the_ui(examples, "Enterprise", description="Edited in the UI")
    drift = _reconcile("drift", str(examples), "--no-color", exit_code=2)
    return Tour(validate_error, plan, applied, plan_again, drift)


def _reconcile(*args: str, exit_code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == exit_code, result.output
    return result.output


def _edit_in_the_ui(examples: Path, profile_name: str, **fields: str) -> None:
    """A change made behind git's back, through the sandbox's admin API."""
    app = create_app(SandboxConfig(db_path=examples / SANDBOX_DB))
    with TestClient(app, base_url="http://sandbox.test") as admin:
        listed = admin.get(
            "/_sandbox/collections/konnect.profiles", params={"filter[name]": profile_name}
        )
        (profile,) = listed.json()["data"]
        url = f"/_sandbox/collections/konnect.profiles/{profile['id']}"
        admin.patch(url, json=fields).raise_for_status()
