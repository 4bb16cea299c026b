"""The API status page lists every Konnect route reconcile calls, each operation with the
marks the official v3 OpenAPI document gives it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from reconciler.clients import routes
from tests.conftest import SHARED_DIR
from tests.docs.pages import between, page

SPEC = SHARED_DIR / "reference" / "specs" / "openmeter-v3-openapi.yaml"
MARKS = ("x-private", "x-internal", "x-unstable")


def documented() -> dict[tuple[str, str], set[str]]:
    table = between(
        page("docs/api-status.md"), "<!-- api-status:start -->", "<!-- api-status:end -->"
    )
    rows: dict[tuple[str, str], set[str]] = {}
    for row in table.strip().splitlines()[2:]:
        operation, _, marks = (cell.strip() for cell in row.strip("|").split("|"))
        method, path = operation.strip("`").split(" ", 1)
        rows[(method, path)] = set(re.findall(r"`(x-[a-z]+)`", marks))
    return rows


def shape(path: str) -> str:
    """The path with its parameters unnamed: the document and `routes` name them apart."""
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not available")
    document: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return document


def test_each_operation_has_the_marks_of_the_v3_document(spec: dict[str, Any]) -> None:
    for (method, path), marks in documented().items():
        operation = spec["paths"][path][method.lower()]
        assert marks == {mark for mark in MARKS if operation.get(mark)}, f"{method} {path}"


def test_every_route_reconcile_calls_is_listed_and_no_other() -> None:
    listed = {shape(path) for _, path in documented()}
    templates = {
        shape(value)
        for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and value.startswith("/openmeter")
    }
    assert templates == listed, sorted(templates ^ listed)


def test_the_readme_links_the_page() -> None:
    assert "(docs/api-status.md)" in page("README.md")
