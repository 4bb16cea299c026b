"""Saved plans (`plan -out FILE`): the plan, with what it was made from, and nothing secret.

Secret fields never reach a Plan (the diff keeps only the fact that they change), so the
file holds no secret by construction; `tests/engine/test_planfile.py` checks it anyway. What
stands for the secrets the plan would write is a salted fingerprint of each
(`engine.planned_secrets`), so that apply can tell they are still the ones planned.

How the plan was made (`-r`, `--prune`, `--refresh`) is part of the Plan, and `apply
PLANFILE` plans again the same way to check it. The format stays 1: a file saved before the
scope, the refresh mode and the fingerprints were recorded reads as unscoped and refreshed,
and with no fingerprint, so a change in it that would write a secret is refused as stale.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from reconciler import __version__
from reconciler.engine.plan import PLAN_FORMAT_VERSION, Plan
from reconciler.engine.planned_secrets import PlannedSecret
from reconciler.safe_output import write_private_text


class PlanfileError(Exception):
    """The file is not a planfile this version of reconcile can apply."""

    exit_code = 1


class Planfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = PLAN_FORMAT_VERSION
    reconcile_version: str = __version__
    target: str
    manifest_dir: str
    plan: Plan
    secrets: tuple[PlannedSecret, ...] = ()


def write_planfile(path: Path, planfile: Planfile) -> None:
    try:
        write_private_text(path, planfile.model_dump_json(indent=2) + "\n")
    except OSError as error:
        raise PlanfileError(f"{path}: cannot write the planfile: {error.strerror}") from None


def read_planfile(path: Path) -> Planfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanfileError(f"{path}: cannot read planfile: {error.strerror}") from None
    try:
        planfile = Planfile.model_validate_json(text)
    except ValidationError as error:
        raise PlanfileError(
            f"{path}: not a reconcile planfile ({error.error_count()} problems)"
        ) from None
    if planfile.format_version != PLAN_FORMAT_VERSION:
        raise PlanfileError(
            f"{path}: planfile format {planfile.format_version} is not supported "
            f"(this reconcile writes format {PLAN_FORMAT_VERSION})"
        )
    return planfile
