"""The command line loads a command's module only when that command runs: `--help` and shell
completion import none of the heavy libraries, and the sandbox's server and `fcntl` are needed
only by the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli import SANDBOX_EXTRA_MISSING, main
from reconciler.workflows.scaffolding import init

HEAVY = ["pydantic", "httpx", "stripe", "starlette", "uvicorn", "yaml", "reconciler.sandbox"]
SANDBOX_EXTRA = ["starlette", "uvicorn", "httptools"]


def run_without(modules: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """`reconcile ARGS` in a Python where `modules` cannot be imported, as if not installed."""
    script = (
        "import sys\n"
        f"for name in {modules!r}:\n"
        "    sys.modules[name] = None\n"
        "from reconciler.cli import main\n"
        f"main({list(args)!r}, prog_name='reconcile')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("STRIPE_API_KEY", "KONNECT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    init(tmp_path)
    return tmp_path


def test_help_imports_no_heavy_module() -> None:
    script = (
        "import json, sys\n"
        "from reconciler.cli import main\n"
        "try:\n"
        "    main(['--help'], prog_name='reconcile')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Commands:" in completed.stdout
    assert json.loads(completed.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("name", sorted(main.lazy_commands))
def test_listed_help_is_the_commands_own(name: str) -> None:
    registered = main.lazy_commands[name]
    command = registered.load()
    assert command.name == name
    assert command.get_short_help_str(limit=1000) == registered.short_help


def test_a_sandbox_target_without_the_extra_says_how_to_install_it(project: Path) -> None:
    completed = run_without(SANDBOX_EXTRA, "plan", str(project), "--target", "sandbox")

    assert completed.returncode == 1
    assert completed.stderr == f"Error: {SANDBOX_EXTRA_MISSING}\n"
    assert "pip install 'konnect-reconcile[sandbox]'" in completed.stderr


def test_the_sandbox_command_without_the_extra_says_how_to_install_it() -> None:
    completed = run_without(SANDBOX_EXTRA, "sandbox", "serve")

    assert completed.returncode == 1
    assert completed.stderr == f"Error: {SANDBOX_EXTRA_MISSING}\n"


def test_validate_and_a_konnect_target_need_no_sandbox_extra(project: Path) -> None:
    validated = run_without(SANDBOX_EXTRA, "validate", str(project))
    assert validated.returncode == 0, validated.stderr

    planned = run_without(SANDBOX_EXTRA, "plan", str(project), "--target", "konnect")
    # It gets as far as the secrets the target names, which this test does not set.
    assert planned.returncode == 1
    assert "KONNECT_TOKEN" in planned.stderr
    assert "sandbox" not in planned.stderr
    assert "Traceback" not in planned.stderr


def test_plan_runs_where_fcntl_does_not_exist(project: Path) -> None:
    completed = run_without(["fcntl"], "plan", str(project), "--target", "sandbox")

    assert completed.returncode == 0, completed.stderr
    assert "Plan: 4 to add" in completed.stdout


def test_validate_works_offline_without_the_http_clients(project: Path) -> None:
    # Validation makes no request: the HTTP libraries and the API clients are not its cost.
    completed = run_without(["httpx", "stripe", "reconciler.clients"], "validate", str(project))

    assert completed.returncode == 0, completed.stderr
    assert "valid" in completed.stdout
