"""Checks on decoded request parameters, with Stripe's messages and `param` names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.sandbox.stripe_api.errors import (
    invalid_param,
    missing_param,
    unknown_param,
)

MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500


def reject_unknown(params: dict[str, Any], allowed: Iterable[str], prefix: str = "") -> None:
    allowed_names = set(allowed)
    for name in params:
        if name not in allowed_names:
            raise unknown_param(f"{prefix}[{name}]" if prefix else name)


def string(params: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or (value == "" and required):
        if required:
            raise missing_param(name)
        return None
    if not isinstance(value, str):
        raise invalid_param(name, f"Invalid string: {name}")
    return value


def one_of(params: dict[str, Any], name: str, choices: Iterable[str]) -> str | None:
    value = string(params, name)
    options = list(choices)
    if value is not None and value not in options:
        raise invalid_param(
            name, f"Invalid {name}: must be one of {', '.join(options)}", code="parameter_invalid"
        )
    return value


def integer(params: dict[str, Any], name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid_param(
            name, f"Invalid integer: {raw}", code="parameter_invalid_integer"
        ) from None
    if value < minimum:
        raise invalid_param(name, f"This value must be greater than or equal to {minimum}.")
    if value > maximum:
        raise invalid_param(name, f"This value must be less than or equal to {maximum}.")
    return value


def boolean(params: dict[str, Any], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw in ("true", "false"):
        return bool(raw == "true")
    raise invalid_param(name, f"Invalid boolean: {raw}")


def hash_param(params: dict[str, Any], name: str, allowed: Iterable[str]) -> dict[str, Any] | None:
    """A nested hash with only `allowed` keys; `""` (to unset) comes back as an empty dict."""
    value = params.get(name)
    if value is None:
        return None
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid_param(name, f"Invalid hash: {name}")
    reject_unknown(value, allowed, prefix=name)
    return value


def string_list(params: dict[str, Any], name: str) -> list[str] | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_param(name, f"Invalid array: {name}")
    return value


def merged_metadata(current: dict[str, str], params: dict[str, Any]) -> dict[str, str]:
    """Stripe's metadata update: keys merge, `""` unsets a key, `metadata=""` unsets all."""
    given = params.get("metadata")
    if given is None:
        return current
    if given == "":
        return {}
    if isinstance(given, list):  # `metadata[0]=...` reads like a list; its keys were numbers
        given = {str(position): value for position, value in enumerate(given)}
    if not isinstance(given, dict):
        raise invalid_param("metadata", "Invalid metadata: must be a hash of strings.")
    merged = dict(current)
    for key, value in given.items():
        _check_metadata_entry(key, value)
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_METADATA_KEYS:
        raise invalid_param(
            "metadata", f"Invalid metadata: must have at most {MAX_METADATA_KEYS} keys."
        )
    return merged


def _check_metadata_entry(key: str, value: Any) -> None:
    param = f"metadata[{key}]"
    if not isinstance(value, str):
        raise invalid_param(param, "Invalid metadata: values must be strings.")
    if len(key) > MAX_METADATA_KEY_LENGTH:
        raise invalid_param(
            param, f"Metadata keys can have at most {MAX_METADATA_KEY_LENGTH} characters."
        )
    if len(value) > MAX_METADATA_VALUE_LENGTH:
        raise invalid_param(
            param, f"Metadata values can have at most {MAX_METADATA_VALUE_LENGTH} characters."
        )
