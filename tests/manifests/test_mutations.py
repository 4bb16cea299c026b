"""Random mutations of the valid examples never crash validation: a clean report or valid."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.manifests import ValidationReport, validate_directory
from reconciler.manifests.discovery import manifest_files
from reconciler.manifests.project_file import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_TEXTS = {
    path.relative_to(EXAMPLES).as_posix(): path.read_text()
    for path in manifest_files(EXAMPLES, load_project(EXAMPLES)[0].not_manifests).files
}

Path_ = tuple[Any, ...]
LIVE_KEY = "sk_live_" + "0" * 24
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from([LIVE_KEY, "${env:1}", "P1X", "txcd_1", "cus_", "kong-x"]),
)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def paths(data: Any, prefix: Path_ = ()) -> list[Path_]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def parent_and_key(data: Any, path: Path_) -> tuple[Any, Any]:
    for part in path[:-1]:
        data = data[part]
    return data, path[-1]


def check(files: dict[str, str]) -> ValidationReport:
    """Validate the files; whatever the input, the result must be a well-formed report."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        report = validate_directory(root)
        for diagnostic in report.diagnostics:
            assert diagnostic.position.line >= 1 and diagnostic.position.column >= 1
            assert diagnostic.message and diagnostic.code
            assert "0" * 24 not in diagnostic.format() + str(diagnostic.to_json())
        assert report.valid == (report.manifests is not None)
        return report


@st.composite
def mutated_example(draw: st.DrawFn) -> dict[str, str]:
    name = draw(st.sampled_from(sorted(EXAMPLE_TEXTS)))
    documents = list(yaml.safe_load_all(EXAMPLE_TEXTS[name]))
    index = draw(st.integers(0, len(documents) - 1))
    document = copy.deepcopy(documents[index])
    candidates = paths(document)
    path = draw(st.sampled_from(candidates))
    parent, key = parent_and_key(document, path)
    mutation = draw(st.sampled_from(["delete", "retype", "inject", "swap"]))
    if mutation == "delete":
        del parent[key]
    elif mutation == "retype":
        parent[key] = draw(ODD_VALUES)
    elif mutation == "inject" and isinstance(parent, dict):
        key_text = st.one_of(st.text(min_size=1, max_size=12), st.just(LIVE_KEY))
        parent[draw(key_text)] = draw(ODD_VALUES)
    else:
        other_parent, other_key = parent_and_key(document, draw(st.sampled_from(candidates)))
        parent[key], other_parent[other_key] = other_parent[other_key], parent[key]
    documents[index] = document
    return {**EXAMPLE_TEXTS, name: yaml.safe_dump_all(documents, sort_keys=False)}


@SETTINGS
@given(files=mutated_example())
def test_structural_mutations_give_a_clean_report(files: dict[str, str]) -> None:
    check(files)


@SETTINGS
@given(
    name=st.sampled_from(sorted(EXAMPLE_TEXTS)),
    cut=st.floats(min_value=0, max_value=1),
    tail=st.text(max_size=8),
)
def test_truncated_yaml_gives_a_clean_report(name: str, cut: float, tail: str) -> None:
    text = EXAMPLE_TEXTS[name]
    check({**EXAMPLE_TEXTS, name: text[: int(len(text) * cut)] + tail})


def test_the_unmutated_examples_are_valid() -> None:
    assert check(EXAMPLE_TEXTS).valid
