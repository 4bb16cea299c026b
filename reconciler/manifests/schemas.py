"""JSON Schemas generated from the models, for editors and other tools."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from reconciler.manifests.kinds import KINDS, AnyManifestDocument
from reconciler.manifests.project import Project

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ANY_MANIFEST_FILE = "manifest.json"
PROJECT_FILE = "project.json"


def json_schema(
    model: type[BaseModel],
    title: str,
    mode: Literal["validation", "serialization"] = "validation",
) -> dict[str, Any]:
    """`validation` for what reconcile reads (manifests), `serialization` for what it writes."""
    schema = model.model_json_schema(by_alias=True, mode=mode)
    schema["title"] = title
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema: one per kind, one for any kind, one for `reconcile.yaml`."""
    schemas = {kind.SCHEMA_FILE: json_schema(kind, name) for name, kind in KINDS.items()}
    schemas[ANY_MANIFEST_FILE] = json_schema(AnyManifestDocument, "reconcile manifest (any kind)")
    schemas[PROJECT_FILE] = json_schema(Project, "reconcile.yaml project file")
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def stale_files(directory: Path, schemas: Mapping[str, dict[str, Any]] | None = None) -> list[str]:
    """Schema files in `directory` that are missing or differ from the models."""
    return [
        name
        for name, schema in (all_schemas() if schemas is None else schemas).items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != render(schema)
    ]


def write_schemas(
    directory: Path, schemas: Mapping[str, dict[str, Any]] | None = None
) -> list[Path]:
    """The files of `schemas`, by default the manifests' (what an exported project needs)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in (all_schemas() if schemas is None else schemas).items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
