"""Saved plans (`plan -out FILE`): the plan, with what it was made from, and nothing secret.

Secret fields never reach a Plan (the diff keeps only the fact that they change), so the
file holds no secret by construction; `tests/engine/planning/test_planfile.py` checks it
anyway. What stands for the secrets the plan would write is a salted fingerprint of each
(`planning.planned_secrets`), so that apply can tell they are still the ones planned.

How the plan was made (`-r`, `--prune`, `--refresh`, `--skip-stripe-checks`) is part of the
Plan, and `apply PLANFILE` plans again the same way, then executes only if the saved actions
are the ones that plan produces (`planning.staleness`).

The file ends with `digest`: sha256 over the canonical JSON of everything else in it, so that
a file edited by hand or damaged on the way is named as such. It is a checksum, not a
signature: whoever can write the file can compute it again. What keeps an edited plan from
running is the comparison with the plan made again at apply time; the digest only makes the
common case, an accidental edit, say what it is.

Format 2 added the digest and the Stripe-checks mode. A format 1 file is refused (plan again):
without its digest it cannot be told from an edited one, and it does not say whether its
Stripe checks were skipped. Plans are short-lived, so refusing costs one `plan`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from reconciler.core.fingerprint import digest_value
from reconciler.core.plan import Plan
from reconciler.core.safe_output import clean, write_private_text
from reconciler.core.version import VERSION
from reconciler.engine.planning.planned_secrets import PlannedSecret
from reconciler.errors import ReconcileError

# Its own number, not the plan document's: the JSON plan output did not change with it.
# 3: addresses are `TYPE.NAME` strings.
PLANFILE_FORMAT_VERSION = 3
DIGEST_KEY = "digest"


class PlanfileError(ReconcileError):
    """The file is not a planfile this version of reconcile can apply."""


class Planfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = PLANFILE_FORMAT_VERSION
    reconcile_version: str = VERSION
    target: str
    manifest_dir: str
    plan: Plan
    secrets: tuple[PlannedSecret, ...] = ()


def sealed_text(planfile: Planfile) -> str:
    """The planfile as written: its JSON, with the digest of that JSON as the last key.

    The body is cleaned before it is digested: the file is cleaned again as it is written
    (`write_private_text`), and a digest of the uncleaned body would then never match it.
    """
    body = json.loads(clean(planfile.model_dump_json()))
    return json.dumps({**body, DIGEST_KEY: digest_value(body)}, indent=2) + "\n"


def write_planfile(path: Path, planfile: Planfile) -> None:
    try:
        write_private_text(path, sealed_text(planfile))
    except OSError as error:
        raise PlanfileError(f"{path}: cannot write the planfile: {error.strerror}") from None


def read_planfile(path: Path) -> Planfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanfileError(f"{path}: cannot read planfile: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PlanfileError(f"{path}: not a reconcile planfile (not UTF-8 text)") from None
    body = _json_object(path, text)
    _ensure_supported(path, body.get("format_version"))
    _ensure_intact(path, body)
    try:
        return Planfile.model_validate(body)
    except ValidationError as error:
        raise PlanfileError(
            f"{path}: not a reconcile planfile ({error.error_count()} problems)"
        ) from None


def _json_object(path: Path, text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than any plan's
        body = None
    if not isinstance(body, dict):
        raise PlanfileError(f"{path}: not a reconcile planfile (not a JSON object)")
    return body


def _ensure_supported(path: Path, version: object) -> None:
    if version == PLANFILE_FORMAT_VERSION:
        return
    if not isinstance(version, int) or isinstance(version, bool):
        raise PlanfileError(f"{path}: not a reconcile planfile (no format_version)")
    raise PlanfileError(
        f"{path}: planfile format {version} is not supported (this reconcile writes format "
        f"{PLANFILE_FORMAT_VERSION}); run `reconcile plan -out` again with this version"
    )


def _ensure_intact(path: Path, body: dict[str, Any]) -> None:
    """The digest must be that of the rest of the file: anything else was edited or damaged."""
    recorded = body.pop(DIGEST_KEY, None)
    if recorded != digest_value(body):
        raise PlanfileError(
            f"{path}: the planfile was edited or damaged since `plan -out` wrote it (its "
            "digest does not match its content), so nothing was applied; plan again"
        )
