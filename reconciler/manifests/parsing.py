"""One YAML document to one manifest model, or the diagnostics saying why not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.manifests.common import API_VERSION
from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.envelope import Manifest
from reconciler.manifests.field_errors import field_diagnostics
from reconciler.manifests.kinds import KINDS
from reconciler.manifests.loader import SourceDocument
from reconciler.manifests.manifest_set import LoadedManifest
from reconciler.manifests.secrets import LiteralSecret, literal_secrets


def parse_manifest(document: SourceDocument) -> tuple[LoadedManifest | None, list[Diagnostic]]:
    secrets = literal_secrets(document)
    diagnostics = list(secret_diagnostics(document, secrets))
    envelope = list(_envelope_diagnostics(document))
    diagnostics.extend(envelope)
    kind = KINDS.get(document.kind)
    if kind is None:
        return None, diagnostics
    hidden = {secret.loc for secret in secrets} | ({("apiVersion",)} if envelope else set())
    manifest, problems = validate_model(kind, document, hidden)
    diagnostics.extend(problems)
    if not isinstance(manifest, Manifest) or diagnostics:
        return None, diagnostics
    return LoadedManifest(manifest, document), diagnostics


def validate_model(
    model: type[BaseModel], document: SourceDocument, hidden: set[tuple[Any, ...]]
) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate against `model`, dropping problems at `hidden` paths (already reported)."""
    try:
        return model.model_validate(document.data), []
    except ValidationError as error:
        problems = [
            diagnostic
            for diagnostic, loc in field_diagnostics(error, document, model)
            if loc not in hidden or diagnostic.code == "unknown-field"
        ]
        return None, problems


def _envelope_diagnostics(document: SourceDocument) -> Iterator[Diagnostic]:
    def problem(loc: tuple[str, ...], code: str, message: str) -> Diagnostic:
        position = document.positions.locate(loc, prefer_key=False)
        return Diagnostic(document.file, position, code, message, document.kind, document.name)

    data = document.data
    if not isinstance(data, dict):
        yield problem((), "not-a-mapping", "a manifest is a mapping with apiVersion, kind, ...")
        return
    if data.get("apiVersion") != API_VERSION:
        yield problem(("apiVersion",), "unknown-api-version", f"apiVersion must be {API_VERSION}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        close = get_close_matches(kind, list(KINDS), n=1) if isinstance(kind, str) else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield problem(("kind",), "unknown-kind", f"kind must be one of {', '.join(KINDS)}{hint}")


def secret_diagnostics(
    document: SourceDocument, secrets: Iterable[LiteralSecret]
) -> Iterator[Diagnostic]:
    """The diagnostics of the `secrets` found in `document` (by `literal_secrets`)."""
    for secret in secrets:
        yield Diagnostic(
            document.file,
            secret.scalar.position,
            "literal-secret",
            f"'{secret.field_name}' holds {secret.description}; "
            "reference it as ${env:NAME} and keep the value out of git",
            document.kind,
            document.name,
        )
