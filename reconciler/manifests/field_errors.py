"""Pydantic validation errors turned into diagnostics a user can act on.

Pydantic's `loc` also names union tags (`payment.send_invoice.due_after`); positions are found
by following only the parts of `loc` that exist in the document's data.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.loader import SourceDocument
from reconciler.manifests.references import Location

_EXPECTED_TYPES = {
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "datetime_type": "a date-time such as 2025-01-01T00:00:00Z",
    "datetime_parsing": "a date-time such as 2025-01-01T00:00:00Z",
    "datetime_from_date_parsing": "a date-time such as 2025-01-01T00:00:00Z",
}


def field_diagnostics(
    error: ValidationError, document: SourceDocument, model: type[BaseModel]
) -> Iterator[tuple[Diagnostic, Location]]:
    """Each error as a diagnostic, with the path in the data it is about."""
    for detail in error.errors(include_url=False, include_input=False):
        yield _diagnostic(detail, document, model)


def data_path(loc: Location, data: Any) -> Location:
    """The part of `loc` that exists in `data` (union tags and missing keys dropped)."""
    path: list[str | int] = []
    for part in loc:
        if _contains(data, part):
            data = data[part]
            path.append(part)
    return tuple(path)


def _value_at(path: Location, data: Any) -> Any:
    for part in path:
        if not _contains(data, part):
            return None
        data = data[part]
    return data


def _contains(data: Any, part: str | int) -> bool:
    if isinstance(data, dict):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


def _diagnostic(
    detail: ErrorDetails, document: SourceDocument, model: type[BaseModel]
) -> tuple[Diagnostic, Location]:
    path = data_path(tuple(detail["loc"]), document.data)
    # A model-wide rule may name the field it is about (context `field`): point there.
    about = (detail.get("ctx") or {}).get("field")
    if about is not None:
        path = data_path((*path, about), document.data)
    if detail["type"] == "union_tag_invalid":
        path = (*path, _discriminator(detail))
    code, message = _describe(detail, path, model)
    position = document.positions.locate(path, prefer_key=_points_at_key(detail, path, document))
    diagnostic = Diagnostic(document.file, position, code, message, document.kind, document.name)
    return diagnostic, path


def _points_at_key(detail: ErrorDetails, path: Location, document: SourceDocument) -> bool:
    """Whether the key (not its value) is the place to show: for keys that should not be
    there or lack something, for rules on mapping keys, and for blocks, which start below."""
    if detail["loc"] and detail["loc"][-1] == "[key]":
        return True
    if detail["type"] in ("extra_forbidden", "missing", "union_tag_not_found"):
        return True
    return isinstance(_value_at(path, document.data), dict | list)


def dotted(path: Location) -> str:
    """`spec.customer.subject_keys[0]`: a path as users write it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _describe(detail: ErrorDetails, path: Location, model: type[BaseModel]) -> tuple[str, str]:
    kind = detail["type"]
    last = detail["loc"][-1] if detail["loc"] else ""
    if kind == "extra_forbidden":
        hint = _hint(str(last), model, path[:-1])
        return "unknown-field", f"unknown field '{dotted(path)}'{hint}"
    if kind == "missing":
        return "missing-field", f"missing required field '{dotted((*path, last))}'"
    if kind == "union_tag_not_found":
        return (
            "missing-field",
            f"missing required field '{dotted((*path, _discriminator(detail)))}'",
        )
    code, message = _value_problem(detail)
    return code, f"{dotted(path)}: {message}" if path else message


def _value_problem(detail: ErrorDetails) -> tuple[str, str]:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "union_tag_invalid":
        return "bad-value", f"must be one of {ctx.get('expected_tags')}"
    if kind == "literal_error":
        return "bad-value", f"must be {ctx.get('expected')}"
    if kind in _EXPECTED_TYPES:
        return "wrong-type", f"expected {_EXPECTED_TYPES[kind]}"
    if kind in ("string_too_short", "too_short"):
        return "bad-length", "must not be empty"
    if kind == "string_too_long":
        return "bad-length", f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_long":
        return "bad-length", f"must have at most {ctx.get('max_length')} entries"
    if "-" in kind:  # our own PydanticCustomError codes
        return kind, detail["msg"]
    return "invalid", detail["msg"]


def _discriminator(detail: ErrorDetails) -> str:
    return str((detail.get("ctx") or {}).get("discriminator", "")).strip("'")


def _hint(unknown: str, model: type[BaseModel], path: Location) -> str:
    names = sorted(_field_names(model, path))
    matches = difflib.get_close_matches(unknown, names, n=1)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def _field_names(model: type[BaseModel], path: Location) -> set[str]:
    """Field names (by alias) of the models found at `path`, following the annotations."""
    models = {model}
    for part in path:
        if isinstance(part, int):
            continue
        following = {
            found
            for current in models
            if part in _fields_by_alias(current)
            for found in _models_in(_fields_by_alias(current)[part])
        }
        models = following or models  # no field of that name: `part` is a key of a mapping
    return {name for current in models for name in _fields_by_alias(current)}


def _fields_by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: info.annotation for name, info in model.model_fields.items()}


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    if typing.get_origin(annotation) in (
        typing.Union,
        types.UnionType,
        typing.Annotated,
        list,
        dict,
    ):
        return {found for arg in typing.get_args(annotation) for found in _models_in(arg)}
    return set()
