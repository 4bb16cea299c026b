"""Label rules as the v3 server enforces them, and how stored labels are shown on read."""

from __future__ import annotations

import re
from typing import Any

from reconciler.sandbox.konnect_api.errors import problem

MAX_LABELS = 50
SYSTEM_PREFIX = "openmeter_"
RESERVED_KEY_PREFIXES = ("_", "kong", "konnect", "insomnia", "mesh", "kic", "kuma", "openmeter")
# Alphanumeric at both ends, single `.`/`_`/`-` between alphanumerics, at most 63 characters.
_LABEL_PART = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9._-]?[a-zA-Z0-9])?){1,63}$")

ANNOTATIONS = "_annotations"


def check_labels(labels: dict[str, str] | None, field: str = "labels") -> dict[str, str]:
    """The labels if every entry is valid, else a 400 naming each broken entry."""
    labels = labels or {}
    issues: list[dict[str, Any]] = []
    if len(labels) > MAX_LABELS:
        issues.append(
            {
                "field": field,
                "reason": f"at most {MAX_LABELS} labels are allowed",
                "rule": "max_items",
                "maximum": MAX_LABELS,
                "source": "body",
            }
        )
    for key, value in labels.items():
        code = _violation(key, value)
        if code is not None:
            issues.append(
                {
                    "field": f"{field}.{key}",
                    "reason": f"{code}: invalid label {key!r}",
                    "rule": "is_label",
                    "source": "body",
                }
            )
    if issues:
        raise problem(400, "invalid labels", issues)
    return dict(labels)


def _violation(key: str, value: str) -> str | None:
    if not _LABEL_PART.match(key) or len(key) > 63:
        return "invalid_label_key_format"
    if key.startswith(RESERVED_KEY_PREFIXES):
        return "invalid_label_key_prefix"
    if not _LABEL_PART.match(value) or len(value) > 63:
        return "invalid_label_value_format"
    return None


def labels_for_read(doc: dict[str, Any]) -> dict[str, str]:
    """Stored labels that still pass the rules, plus system annotations as `openmeter_*` labels."""
    shown = {
        key: value
        for key, value in (doc.get("labels") or {}).items()
        if isinstance(value, str) and _violation(key, value) is None
    }
    for key, value in (doc.get(ANNOTATIONS) or {}).items():
        shown[SYSTEM_PREFIX + key] = str(value)
    return shown
