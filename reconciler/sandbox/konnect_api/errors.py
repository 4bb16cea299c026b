"""The two error bodies the Konnect v3 server emits, and a 400 built from pydantic errors.

Most failures use the AIP problem+json shape (`invalid_parameters` on 400). Billing-domain
failures (profiles, customer billing, tax-code rules) still use the older shape whose machine
code sits in `extensions.code`; reconcile must read both, so the sandbox emits both.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
InvalidParameter = dict[str, Any]


class KonnectError(Exception):
    """Raised anywhere in a handler; rendered as the response body it carries."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail", ""))
        self.status = status
        self.body = body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, media_type=PROBLEM_JSON)


def _title(status: int) -> str:
    return HTTPStatus(status).phrase


def problem(
    status: int, detail: str, invalid_parameters: Sequence[InvalidParameter] = ()
) -> KonnectError:
    """An AIP problem; `invalid_parameters` only when there are some (the server omits it)."""
    body: dict[str, Any] = {
        "type": f"https://httpstatuses.com/{status}",
        "status": status,
        "title": _title(status),
        "instance": "kong:trace:" + str(secrets.randbelow(10**19)),
        "detail": detail,
    }
    if invalid_parameters:
        body["invalid_parameters"] = list(invalid_parameters)
    return KonnectError(status, body)


def invalid(field: str, reason: str, rule: str = "invalid", source: str = "body") -> KonnectError:
    return problem(
        400,
        "invalid request",
        [{"field": field, "reason": reason, "rule": rule, "source": source}],
    )


def not_found(what: str) -> KonnectError:
    return problem(404, f"{what} not found")


def billing_problem(status: int, code: str, detail: str) -> KonnectError:
    """The legacy billing shape: `about:blank`, a `urn:request:` instance, `extensions.code`."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "instance": "urn:request:" + secrets.token_hex(8),
        "extensions": {"code": code, "message": detail, "severity": "critical"},
    }
    return KonnectError(status, body)


# pydantic error type -> AIP rule, for the cases without extra fields
_SIMPLE_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_property",
    "string_type": "is_string",
    "bool_type": "is_boolean",
    "bool_parsing": "is_boolean",
    "list_type": "is_array",
    "dict_type": "is_object",
    "model_type": "is_object",
    "model_attributes_type": "is_object",
    "int_type": "is_integer",
    "int_parsing": "is_integer",
    "int_from_float": "is_integer",
    "datetime_type": "is_date_time",
    "datetime_parsing": "is_date_time",
    "datetime_from_date_parsing": "is_date_time",
    "string_pattern_mismatch": "matches_regex",
    "json_invalid": "unmarshal",  # outside the document's rule list, as on the real server
    "union_tag_not_found": "required",
}


def from_validation_error(error: ValidationError, source: str = "body") -> KonnectError:
    return problem(400, "invalid request", [_parameter(item, source) for item in error.errors()])


def _parameter(item: Any, source: str) -> InvalidParameter:
    kind: str = item["type"]
    context: dict[str, Any] = item.get("ctx") or {}
    location = list(item["loc"])
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        # The API names the discriminator field itself, e.g. `workflow.payment.collection_method`.
        location.append(str(context.get("discriminator", "")).strip("'"))
    parameter: InvalidParameter = {
        "field": _field_name(location),
        "reason": item["msg"],
        "source": source,
    }
    if kind == "union_tag_invalid":
        parameter["rule"] = "enum"
        parameter["choices"] = _choices(str(context.get("expected_tags", "")))
    elif kind in ("string_too_short", "too_short", "greater_than_equal"):
        parameter["rule"] = "min" if kind == "greater_than_equal" else _min_rule(kind)
        parameter["minimum"] = int(context.get("min_length", context.get("ge", 0)))
    elif kind in ("string_too_long", "too_long", "less_than_equal"):
        parameter["rule"] = "max" if kind == "less_than_equal" else _max_rule(kind)
        parameter["maximum"] = int(context.get("max_length", context.get("le", 0)))
    elif kind in ("literal_error", "enum"):
        parameter["rule"] = "enum"
        parameter["choices"] = _choices(context.get("expected", ""))
    else:
        parameter["rule"] = _SIMPLE_RULES.get(kind, "invalid")
    return parameter


def _min_rule(kind: str) -> str:
    return "min_length" if kind == "string_too_short" else "min_items"


def _max_rule(kind: str) -> str:
    return "max_length" if kind == "string_too_long" else "max_items"


# Discriminated unions add the chosen tag as a location step (`alignment.anchored.…`); the
# API's field paths have none. Modules with such unions register their tags here.
_UNION_TAGS: set[str] = set()


def register_union_tags(*tags: str) -> None:
    _UNION_TAGS.update(tags)


def _field_name(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location if part not in _UNION_TAGS) or "body"


def _choices(expected: str) -> list[str]:
    # pydantic renders the choices as "'a', 'b' or 'c'"
    return [part.strip(" '") for part in expected.replace(" or ", ",").split(",") if part.strip()]
