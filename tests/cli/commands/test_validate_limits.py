"""`reconcile validate` refuses what would cost too much to load, at the place that does it:
aliases that expand a small file to millions of nodes, and files over the size limit.

The timeouts are upper bounds that a hang would hit, not timings: the bounds themselves are
structural (the nodes aliases add are counted, a file is read up to its limit).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.manifests.yaml_limits import MAX_ALIAS_NODES, MAX_FILE_BYTES
from tests.manifests.conftest import BASE


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "base.yaml").write_text(BASE)
    return directory


def validate(root: Path) -> Result:
    return CliRunner().invoke(main, ["validate", root.name])


def laughs(levels: int, *, merge: bool = False) -> str:
    """Nine aliases of nine aliases of ...: a few hundred bytes, 9**levels nodes once expanded."""
    if merge:  # the same with merge keys, which PyYAML copies into every mapping
        lines = ["l0: &l0 {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}"]
        for level in range(1, levels + 1):
            aliases = ", ".join([f"*l{level - 1}"] * 9)
            lines.append(f"l{level}: &l{level} {{<<: [{aliases}], own: {level}}}")
    else:
        lines = ["l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
        for level in range(1, levels + 1):
            lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def crossing_alias(text: str, *, merge: bool) -> tuple[int, int]:
    """Line and column of the alias with which the aliases of `laughs` add more than
    MAX_ALIAS_NODES nodes, counting each alias as the tree it stands for."""
    # l0: a sequence of 9 scalars, or a mapping of 9 pairs; each next level adds the nodes of
    # its own collection (with `<<`, the list of merged ones and `own: N`) to 9 of the last.
    size, own_nodes = (19, 5) if merge else (10, 1)
    added = 0
    for number, line in enumerate(text.splitlines()[1:], start=2):
        for alias in re.finditer(r"\*l\d", line):
            added += size
            if added > MAX_ALIAS_NODES:
                return number, alias.start() + 1
        size = own_nodes + 9 * size
    raise AssertionError("the aliases stay under the limit")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("merge", [False, True], ids=["sequences", "merge keys"])
def test_a_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit(
    root: Path, merge: bool
) -> None:
    text = laughs(6, merge=merge)
    assert len(text) < 1024
    (root / "bomb.yaml").write_text(text)
    result = validate(root)
    assert result.exit_code == 1, result.output
    line, column = crossing_alias(text, merge=merge)
    assert result.stdout.startswith(f"m/bomb.yaml:{line}:{column}: ?/?: YAML: ")
    assert "100,000 nodes" in result.stdout
    assert result.stdout.count("\n") == 1


@pytest.mark.timeout(10)
def test_a_billion_laughs_in_the_project_file_is_refused_too(root: Path) -> None:
    (root / "reconcile.yaml").write_text(laughs(6) + "default_target: sandbox\n")
    result = validate(root)
    assert result.exit_code == 1, result.output
    line, column = crossing_alias(laughs(6), merge=False)
    assert result.stdout.startswith(f"m/reconcile.yaml:{line}:{column}: Project/reconcile.yaml:")
    assert "Traceback" not in result.output


def test_aliases_that_add_little_are_fine(root: Path) -> None:
    (root / "links.yaml").write_text(
        "apiVersion: reconcile.konghq.dev/v1\n"
        "kind: CustomerBilling\n"
        "metadata: {name: acme}\n"
        "spec:\n"
        "  customer: {key: &key acme, name: *key, subject_keys: [*key, acme-eu]}\n"
        "  onboarding: checkout\n"
    )
    result = validate(root)
    assert result.exit_code == 0, result.output


def test_a_file_over_the_size_limit_is_refused_unread(root: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    text = BASE + padding * (MAX_FILE_BYTES // len(padding) + 1)
    (root / "base.yaml").write_text(text)
    result = validate(root)
    assert result.exit_code == 1
    assert result.stdout == (
        "m/base.yaml:1:1: ?/?: the file is larger than 5 MB, the most a manifest file may hold; "
        "split its documents over several files\n"
    )


def test_a_file_at_the_size_limit_is_read(root: Path) -> None:
    padding = "#" * (MAX_FILE_BYTES - len(BASE) - 1) + "\n"
    (root / "base.yaml").write_text(BASE + padding)
    assert (root / "base.yaml").stat().st_size == MAX_FILE_BYTES
    result = validate(root)
    assert result.exit_code == 0, result.output
