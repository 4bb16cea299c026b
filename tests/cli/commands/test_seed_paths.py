"""A sandbox seed file lies inside the project, and export writes only inside OUT_DIR.

Export copies the seed file to the same path in OUT_DIR, so a seed path leaving the project
would be written outside OUT_DIR: it is a positioned error in reconcile.yaml, for every command.
"""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.targets import SANDBOX_DB
from tests.manifests.conftest import BASE

SEED = "stripe:\n  customers: []\n"
SEED_LINE, SEED_COLUMN = 4, 11
INSIDE = "targets.sandbox.seed: must be a file inside the project: a path relative to the manifest "
INSIDE += "root, without '..'"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project `m/` with valid manifests; next to it, a seed file outside the project."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "base.yaml").write_text(BASE)
    (tmp_path / "outside-seed.yaml").write_text(SEED)
    return directory


def with_seed(root: Path, seed: str, *, exclude: str = "[]") -> None:
    (root / "reconcile.yaml").write_text(
        f"exclude: {exclude}\ntargets:\n  sandbox:\n    seed: {seed}\n    type: sandbox\n"
    )


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def seed_error(message: str) -> str:
    return f"m/reconcile.yaml:{SEED_LINE}:{SEED_COLUMN}: Project/reconcile.yaml: {message}"


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("../outside-seed.yaml", INSIDE),
        ("sub/../../outside-seed.yaml", INSIDE),
        ("{absolute}", INSIDE),
        ("missing.yaml", "targets.sandbox.seed: no such file, relative to the manifest root"),
        (
            "link.yaml",
            "targets.sandbox.seed: must be a file inside the project; a symbolic link takes this "
            "path outside it",
        ),
        ("seeds", "targets.sandbox.seed: must be a file, not a directory"),
    ],
)
def test_a_seed_path_that_is_no_file_inside_the_project_is_refused_where_it_is_written(
    root: Path, seed: str, message: str
) -> None:
    (root / "link.yaml").symlink_to("../outside-seed.yaml")
    (root / "seeds").mkdir()
    with_seed(root, seed.format(absolute=root.parent / "outside-seed.yaml"), exclude="[link.yaml]")
    result = run("validate", "m")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [seed_error(message)]


def test_a_seed_inside_the_project_through_a_link_is_fine(root: Path) -> None:
    (root / "private").mkdir()
    (root / "private" / "customers.yaml").write_text(SEED)
    (root / "customers.yaml").symlink_to("private/customers.yaml")
    with_seed(root, "customers.yaml", exclude="[private/]")
    result = run("validate", "m")
    assert result.exit_code == 0, result.output


def test_plan_plants_no_seed_from_outside_the_project(root: Path) -> None:
    with_seed(root, "../outside-seed.yaml")
    result = run("plan", "m")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == seed_error(INSIDE)
    assert not (root / SANDBOX_DB).exists()


def test_export_refuses_a_seed_outside_the_project_and_writes_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Export stages its files in a temporary directory: `../` of the seed would land beside it.
    staging = root.parent / "staging"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    with_seed(root, "../outside-seed.yaml")
    result = run("export", root, root.parent / "out")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == seed_error(INSIDE)
    assert not (root.parent / "out").exists()
    assert list(staging.iterdir()) == []


def test_export_refuses_an_absolute_seed_path_without_a_traceback(root: Path) -> None:
    with_seed(root, str(root.parent / "outside-seed.yaml"))
    result = run("export", root, root.parent / "out")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == seed_error(INSIDE)


def test_a_private_seed_reached_through_a_link_stays_private_in_the_export(root: Path) -> None:
    (root / "private").mkdir()
    (root / "private" / "customers.yaml").write_text(SEED)
    (root / "private" / "customers.yaml").chmod(0o600)
    (root / "customers.yaml").symlink_to("private/customers.yaml")
    with_seed(root, "customers.yaml", exclude="[private/]")
    out = root.parent / "out"
    result = run("export", root, out)
    assert result.exit_code == 0, result.output
    copied = out / "customers.yaml"
    assert not copied.is_symlink()
    assert copied.read_text() == SEED
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600


@pytest.mark.parametrize("linked", ["reconcile.yaml", "schemas"])
def test_export_writes_nothing_through_a_link_leading_outside_out_dir(
    root: Path, linked: str
) -> None:
    with_seed(root, "seed.yaml")
    (root / "seed.yaml").write_text(SEED)
    out = root.parent / "out"
    out.mkdir()
    elsewhere = root.parent / "elsewhere"
    (elsewhere / "schemas").mkdir(parents=True)
    (elsewhere / "reconcile.yaml").write_text("mine\n")
    (out / linked).symlink_to(elsewhere / linked)
    result = run("export", root, out, "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}/{linked} leads outside "
        f"{out} through a symbolic link, and export writes only inside it; remove the link or "
        "export elsewhere\n"
    )
    assert (elsewhere / "reconcile.yaml").read_text() == "mine\n"
    assert list((elsewhere / "schemas").iterdir()) == []
    assert sorted(path.name for path in out.iterdir()) == [linked]
