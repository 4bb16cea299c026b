"""A path that may hold manifests but cannot be read is an error naming it, never skipped:
what a skipped file declares would look removed, and `--prune` would delete it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.e2e.worlds import STRIPE_APP, write_manifests

REPO = Path(__file__).resolve().parents[3]
VALID = "13 documents in 10 files: valid\n"
AS_ROOT = os.geteuid() == 0
ROOT_READS_ANYTHING = "root reads files and directories whatever their mode"


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "examples"


def validate(directory: str = "examples") -> Result:
    return CliRunner().invoke(main, ["validate", directory])


def refused(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stdout.splitlines()


def test_the_examples_are_valid_to_begin_with(examples: Path) -> None:
    assert validate().stdout == VALID


def test_a_broken_symbolic_link_is_an_error(examples: Path) -> None:
    (examples / "customers" / "moved.yaml").symlink_to("../../elsewhere/moved.yaml")
    assert refused(validate()) == [
        "examples/customers/moved.yaml:1:1: ?/?: a symbolic link to a path that does not exist; "
        "fix or remove it, or list it under `exclude` in reconcile.yaml"
    ]


def test_a_broken_link_to_a_directory_is_an_error_too(examples: Path) -> None:
    (examples / "shared").symlink_to("../gone/shared")
    (line,) = refused(validate())
    assert line.startswith("examples/shared:1:1: ?/?: a symbolic link to a path that does not")


def test_a_link_looping_on_itself_is_an_error(examples: Path) -> None:
    (examples / "loop.yaml").symlink_to("loop.yaml")
    (line,) = refused(validate())
    assert line.startswith("examples/loop.yaml:1:1: ?/?: a symbolic link loop")


def test_a_link_back_to_a_directory_above_is_a_loop(examples: Path) -> None:
    (examples / "customers" / "all").symlink_to("..")
    assert refused(validate()) == [
        "examples/customers/all:1:1: ?/?: a symbolic link loop: it leads back to a directory "
        "above it; remove it, or list it under `exclude` in reconcile.yaml"
    ]


def test_a_linked_directory_is_read(examples: Path) -> None:
    shutil.move(examples / "customers", examples.parent / "customers")
    (examples / "customers").symlink_to("../customers")
    assert validate().stdout == VALID


def test_a_directory_linked_twice_is_read_once(examples: Path) -> None:
    (examples / "customers-again").symlink_to("customers")
    assert validate().stdout == VALID


def test_what_is_excluded_or_hidden_may_be_broken(examples: Path) -> None:
    (examples / "invalid" / "moved.yaml").symlink_to("nowhere.yaml")
    (examples / "invalid" / "loop").symlink_to("..")
    (examples / ".cache").mkdir()
    (examples / ".cache" / "old.yaml").symlink_to("nowhere.yaml")
    assert validate().stdout == VALID


@pytest.mark.timeout(20)
def test_a_fifo_named_like_a_manifest_is_refused_not_waited_on(examples: Path) -> None:
    os.mkfifo(examples / "pipe.yaml")
    assert refused(validate()) == [
        "examples/pipe.yaml:1:1: ?/?: named like a manifest but not a regular file"
    ]


def test_a_broken_project_file_link_is_no_absent_project_file(examples: Path) -> None:
    # Read as absent, its `exclude: [invalid/]` would go and the broken examples be read.
    (examples / "reconcile.yaml").unlink()
    (examples / "reconcile.yaml").symlink_to("../project/reconcile.yaml")
    (line,) = refused(validate())
    assert line.startswith(
        "examples/reconcile.yaml:1:1: Project/reconcile.yaml: a symbolic link to a path that "
        "does not exist"
    )


@pytest.mark.skipif(AS_ROOT, reason=ROOT_READS_ANYTHING)
def test_an_unreadable_file_is_an_error(examples: Path) -> None:
    (examples / "customers" / "self-serve.yaml").chmod(0)
    assert refused(validate()) == [
        "examples/customers/self-serve.yaml:1:1: ?/?: cannot be read: permission denied; fix or "
        "remove it, or list it under `exclude` in reconcile.yaml"
    ]


@pytest.mark.skipif(AS_ROOT, reason=ROOT_READS_ANYTHING)
def test_an_unreadable_directory_is_an_error(examples: Path) -> None:
    (examples / "customers").chmod(0)
    try:
        assert refused(validate()) == [
            "examples/customers:1:1: ?/?: cannot list directory: permission denied"
        ]
    finally:
        (examples / "customers").chmod(0o755)


def test_a_file_the_system_refuses_to_read_is_an_error(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What chmod 000 does for any user but root, who may read anything.
    denied = examples / "customers" / "self-serve.yaml"
    real_open = os.open

    def open_unless_denied(path: str | Path, flags: int, *args: int) -> int:
        if Path(path).absolute() == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_unless_denied)
    assert refused(validate()) == [
        "examples/customers/self-serve.yaml:1:1: ?/?: cannot be read: permission denied; fix or "
        "remove it, or list it under `exclude` in reconcile.yaml"
    ]


def test_a_directory_the_system_refuses_to_list_is_an_error(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = examples / "customers"
    real_iterdir = Path.iterdir

    def iterdir_unless_denied(path: Path):  # type: ignore[no-untyped-def]
        if path.absolute() == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_iterdir(path)

    monkeypatch.setattr(Path, "iterdir", iterdir_unless_denied)
    assert refused(validate()) == [
        "examples/customers:1:1: ?/?: cannot list directory: permission denied"
    ]


def test_a_broken_link_stops_a_prune_before_any_request(
    served_project: Path, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifests(served_project, STRIPE_APP)
    monkeypatch.chdir(served_project)
    applied = CliRunner().invoke(main, ["apply", ".", "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    # The app's manifest moved, its link left behind: pruning would delete the app.
    (served_project / "manifests.yaml").rename(served_project.parent / "moved.yaml")
    (served_project / "manifests.yaml").symlink_to("../moved-away.yaml")
    admin.delete("/stats").raise_for_status()
    result = CliRunner().invoke(main, ["apply", ".", "--prune", "--auto-approve"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0].startswith(
        "manifests.yaml:1:1: ?/?: a symbolic link to a path that does not exist"
    )
    assert admin.get("/stats").json()["total"] == 0
