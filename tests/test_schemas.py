"""The JSON Schemas in `schemas/` are current, and agree with the models on the examples."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from reconciler.manifests.discovery import manifest_files
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.project_file import load_project
from reconciler.manifests.schemas import (
    ANY_MANIFEST_FILE,
    PROJECT_FILE,
    all_schemas,
    stale_files,
    write_schemas,
)
from reconciler.schema_files import schema_files
from reconciler.views.plan_json import PLAN_OUTPUT_FILE

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
EXAMPLES = REPO / "examples"


def example_manifests() -> list[Path]:
    return manifest_files(EXAMPLES, load_project(EXAMPLES)[0].not_manifests).files


MODELINE = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)")


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def example_documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in example_manifests()
        for document in yaml.safe_load_all(path.read_text())
    ]


def test_schema_files_are_up_to_date() -> None:
    stale = stale_files(SCHEMAS, schema_files())
    assert stale == [], f"run `reconcile schema --write` (or `make schemas`): {stale}"


def test_stale_files_are_detected(tmp_path: Path) -> None:
    write_schemas(tmp_path, schema_files())
    assert stale_files(tmp_path, schema_files()) == []
    (tmp_path / "tax-code.json").write_text("{}\n")
    (tmp_path / PROJECT_FILE).unlink()
    (tmp_path / PLAN_OUTPUT_FILE).write_text("{}\n")
    assert sorted(stale_files(tmp_path, schema_files())) == sorted(
        ["tax-code.json", PROJECT_FILE, PLAN_OUTPUT_FILE]
    )


def test_one_schema_per_kind_plus_any_kind_and_project_plus_one_per_output() -> None:
    names = {kind.SCHEMA_FILE for kind in KINDS.values()} | {ANY_MANIFEST_FILE, PROJECT_FILE}
    assert set(all_schemas()) == names
    outputs = {PLAN_OUTPUT_FILE, "apply-report.json", "drift-output.json"}
    outputs |= {"export-output.json", "adopt-output.json", "validate-output.json"}
    outputs |= {"checkout-output.json", "portal-output.json"}
    assert set(schema_files()) == names | outputs
    assert {path.name for path in SCHEMAS.glob("*.json")} == names | outputs


@pytest.mark.parametrize(("path", "document"), example_documents())
def test_examples_validate_against_their_kind_schema_and_the_any_kind_schema(
    path: Path, document: dict[str, Any]
) -> None:
    kind_schema = KINDS[document["kind"]].SCHEMA_FILE
    assert list(validator(kind_schema).iter_errors(document)) == []
    assert list(validator(ANY_MANIFEST_FILE).iter_errors(document)) == []


def test_the_project_file_validates_against_its_schema() -> None:
    project = yaml.safe_load((EXAMPLES / "reconcile.yaml").read_text())
    assert list(validator(PROJECT_FILE).iter_errors(project)) == []


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("TaxCode", {"spec": {"key": "Bad Key", "stripe_tax_code": "txcd_10103001"}}),
        ("TaxCode", {"spec": {"key": "ok", "stripe_tax_code": "txcd_1"}}),
        ("StripeApp", {"spec": {"api_key": "sk_live_literal"}}),
        ("StripeApp", {"spec": {"api_key": "${env:K}", "unknown": 1}}),
        ("StripeApp", {"metadata": {"name": "x", "labels": {"kong-team": "a"}}}),
        ("StripeApp", {"apiVersion": "v1"}),
    ],
)
def test_schemas_reject_what_validation_rejects(kind: str, change: dict[str, Any]) -> None:
    document = next(doc for _, doc in example_documents() if doc["kind"] == kind)
    broken = {**document, **change}
    assert list(validator(KINDS[kind].SCHEMA_FILE).iter_errors(broken)) != []


def test_example_modelines_name_existing_schemas() -> None:
    files = [
        *example_manifests(),
        EXAMPLES / "reconcile.yaml",
    ]
    for path in files:
        match = MODELINE.search(path.read_text())
        assert match, f"{path.name} has no yaml-language-server modeline"
        assert (path.parent / match.group(1)).resolve().is_file(), match.group(1)
