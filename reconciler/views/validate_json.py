"""What `validate --output json` prints: whether the manifests are valid, each problem with
its position, code and target, the warnings, a summary, and each target's own result.
Schema: `schemas/validate-output.json`, generated from `ValidateDocument`; `format_version`
follows the rule of `plan_json`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from reconciler.core.documents import format_version_field
from reconciler.manifests.validation import ValidationReport

VALIDATE_FORMAT_VERSION = 1
VALIDATE_OUTPUT_FILE = "validate-output.json"
VALIDATE_OUTPUT_TITLE = "reconcile validate --output json"
# Built from the report's own JSON: a key the models do not know is a fault, not a new field.
_DOCUMENT = ConfigDict(
    frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
)
_TARGET = (
    "The target whose view was checked: its manifest paths, vars and Stripe mode; null when "
    "no target is chosen and the whole directory is read."
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
    target: str | None = Field(description=_TARGET)


class ValidateSummary(BaseModel):
    model_config = _DOCUMENT

    files: int = Field(description="Manifest files read.")
    documents: int = Field(description="Manifests in them.")
    errors: int
    warnings: int = Field(description="Advice on valid manifests; never a failure.")
    errors_by_code: dict[str, int] = Field(description="How many problems of each code.")

    @classmethod
    def adding_up(cls, summaries: Sequence[ValidateSummary]) -> ValidateSummary:
        by_code: Counter[str] = Counter()
        for summary in summaries:
            by_code.update(summary.errors_by_code)
        return cls(
            files=sum(summary.files for summary in summaries),
            documents=sum(summary.documents for summary in summaries),
            errors=sum(summary.errors for summary in summaries),
            warnings=sum(summary.warnings for summary in summaries),
            errors_by_code=dict(sorted(by_code.items())),
        )


class TargetResult(BaseModel):
    """One target's view: valid or not, and its own counts."""

    model_config = _DOCUMENT

    target: str | None = Field(description=_TARGET)
    valid: bool
    summary: ValidateSummary


class ValidateDocument(BaseModel):
    model_config = _DOCUMENT

    format_version: int = format_version_field(VALIDATE_FORMAT_VERSION)
    target: str | None = Field(
        description=_TARGET + " Also null when several targets are checked (--all-targets): "
        "then each error names its own."
    )
    valid: bool = Field(description="Every target checked is valid.")
    errors: tuple[Problem, ...] = Field(
        description="Every problem, in file and line order, target by target."
    )
    warnings: tuple[Problem, ...] = Field(
        description="Advice that does not make the manifests invalid (a wait for late usage "
        "of zero, ...), in file and line order, target by target."
    )
    summary: ValidateSummary = Field(description="The targets' counts added up.")
    targets: tuple[TargetResult, ...] = Field(
        description="Each target checked, in the order of reconcile.yaml: one without "
        "--all-targets."
    )

    @classmethod
    def of(cls, reports: Sequence[ValidationReport]) -> ValidateDocument:
        results = tuple(_result(report) for report in reports)
        return cls(
            target=reports[0].target if len(reports) == 1 else None,
            valid=all(result.valid for result in results),
            errors=tuple(
                Problem.model_validate({**diagnostic.to_json(), "target": report.target})
                for report in reports
                for diagnostic in report.diagnostics
            ),
            warnings=tuple(
                Problem.model_validate({**diagnostic.to_json(), "target": report.target})
                for report in reports
                for diagnostic in report.warnings
            ),
            summary=ValidateSummary.adding_up([result.summary for result in results]),
            targets=results,
        )


def _result(report: ValidationReport) -> TargetResult:
    summary = ValidateSummary.model_validate(report.counts())
    return TargetResult(target=report.target, valid=report.valid, summary=summary)
