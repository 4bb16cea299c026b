"""The files of `schemas/`: what reconcile reads (manifests, reconcile.yaml) and what it
writes for machines (`plan --output json`), each generated from its pydantic model."""

from __future__ import annotations

from typing import Any

from reconciler.manifests.schemas import all_schemas, json_schema
from reconciler.views.plan_json import PLAN_OUTPUT_FILE, PLAN_OUTPUT_TITLE, PlanDocument


def schema_files() -> dict[str, dict[str, Any]]:
    """File name -> schema, for `reconcile schema` and its `--write` and `--check`."""
    output = json_schema(PlanDocument, PLAN_OUTPUT_TITLE, mode="serialization")
    return {**all_schemas(), PLAN_OUTPUT_FILE: output}
