"""What `validate --output json` prints: whether the manifests are valid, each problem with
its position and code, the warnings, and a summary. Schema: `schemas/validate-output.json`,
generated from `ValidateDocument`; `format_version` follows the rule of `plan_json`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reconciler.manifests.validation import ValidationReport

VALIDATE_FORMAT_VERSION = 1
VALIDATE_OUTPUT_FILE = "validate-output.json"
VALIDATE_OUTPUT_TITLE = "reconcile validate --output json"
# Built from the report's own JSON: a key the models do not know is a fault, not a new field.
_DOCUMENT = ConfigDict(
    frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
)


class Problem(BaseModel):
    model_config = _DOCUMENT

    file: str = Field(description="The file, relative to the current directory when below it.")
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    kind: str = Field(description="The manifest's kind; `?` when it cannot be told.")
    name: str = Field(description="The manifest's metadata.name; `?` when it cannot be told.")
    code: str = Field(description="The class of problem: `unknown-field`, `bad-duration`, ...")
    message: str


class ValidateSummary(BaseModel):
    model_config = _DOCUMENT

    files: int = Field(description="Manifest files read.")
    documents: int = Field(description="Manifests in them.")
    errors: int
    warnings: int = Field(description="Advice on valid manifests; never a failure.")
    errors_by_code: dict[str, int] = Field(description="How many problems of each code.")


class ValidateDocument(BaseModel):
    model_config = _DOCUMENT

    format_version: int = Field(
        VALIDATE_FORMAT_VERSION,
        json_schema_extra={"const": VALIDATE_FORMAT_VERSION},
        description="Bumped only by a breaking change of this document.",
    )
    valid: bool
    errors: tuple[Problem, ...] = Field(description="Every problem, in file and line order.")
    warnings: tuple[Problem, ...] = Field(
        description="Advice that does not make the manifests invalid (a wait for late usage "
        "of zero, ...), in file and line order."
    )
    summary: ValidateSummary

    @classmethod
    def of(cls, report: ValidationReport) -> ValidateDocument:
        return cls.model_validate(report.to_json())
