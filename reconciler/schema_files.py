"""The files of `schemas/`: what reconcile reads (manifests, reconcile.yaml) and what it
writes for machines (`--output json` of validate, plan, apply, drift, export, adopt,
checkout-url and portal-url), each generated from its pydantic model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from reconciler.manifests.schemas import all_schemas, json_schema
from reconciler.views.apply_json import APPLY_REPORT_FILE, APPLY_REPORT_TITLE, ApplyReport
from reconciler.views.drift_json import DRIFT_OUTPUT_FILE, DRIFT_OUTPUT_TITLE, DriftDocument
from reconciler.views.export_json import (
    ADOPT_OUTPUT_FILE,
    ADOPT_OUTPUT_TITLE,
    EXPORT_OUTPUT_FILE,
    EXPORT_OUTPUT_TITLE,
    AdoptDocument,
    ExportDocument,
)
from reconciler.views.onboarding_json import (
    CHECKOUT_OUTPUT_FILE,
    CHECKOUT_OUTPUT_TITLE,
    PORTAL_OUTPUT_FILE,
    PORTAL_OUTPUT_TITLE,
    CheckoutDocument,
    PortalDocument,
)
from reconciler.views.plan_json import PLAN_OUTPUT_FILE, PLAN_OUTPUT_TITLE, PlanDocument
from reconciler.views.validate_json import (
    VALIDATE_OUTPUT_FILE,
    VALIDATE_OUTPUT_TITLE,
    ValidateDocument,
)

OUTPUT_DOCUMENTS: dict[str, tuple[type[BaseModel], str]] = {
    VALIDATE_OUTPUT_FILE: (ValidateDocument, VALIDATE_OUTPUT_TITLE),
    PLAN_OUTPUT_FILE: (PlanDocument, PLAN_OUTPUT_TITLE),
    APPLY_REPORT_FILE: (ApplyReport, APPLY_REPORT_TITLE),
    DRIFT_OUTPUT_FILE: (DriftDocument, DRIFT_OUTPUT_TITLE),
    EXPORT_OUTPUT_FILE: (ExportDocument, EXPORT_OUTPUT_TITLE),
    ADOPT_OUTPUT_FILE: (AdoptDocument, ADOPT_OUTPUT_TITLE),
    CHECKOUT_OUTPUT_FILE: (CheckoutDocument, CHECKOUT_OUTPUT_TITLE),
    PORTAL_OUTPUT_FILE: (PortalDocument, PORTAL_OUTPUT_TITLE),
}


def schema_files() -> dict[str, dict[str, Any]]:
    """File name -> schema, for `reconcile schema` and its `--write` and `--check`."""
    outputs = {
        name: json_schema(model, title, mode="serialization")
        for name, (model, title) in OUTPUT_DOCUMENTS.items()
    }
    return {**all_schemas(), **outputs}
