"""Stripe's OpenAPI document as JSON Schema validators, for checking sandbox responses.

The document is test data read at run time from the shared reference directory; it is loaded
once per test session. OpenAPI 3.0's `nullable` becomes JSON Schema's `null` alternative.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.conftest import SPECS_DIR, spec_missing

SPEC_PATH = SPECS_DIR / "stripe-spec3.yaml"


@cache
def _components() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        pytest.skip(spec_missing("Stripe", SPEC_PATH))
    with SPEC_PATH.open() as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    components: dict[str, Any] = _with_nulls(spec["components"])
    return components


def _with_nulls(node: Any) -> Any:
    if isinstance(node, list):
        return [_with_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _with_nulls(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def validator(schema_name: str) -> Draft7Validator:
    components = _components()
    assert schema_name in components["schemas"], schema_name
    return Draft7Validator(
        {"components": components, "allOf": [{"$ref": f"#/components/schemas/{schema_name}"}]}
    )


def violations(schema_name: str, body: Any) -> list[str]:
    """Where `body` breaks the schema, as `path: message` lines (empty when it conforms)."""
    return [
        "/".join(str(part) for part in error.absolute_path) + ": " + error.message
        for error in validator(schema_name).iter_errors(body)
    ]
