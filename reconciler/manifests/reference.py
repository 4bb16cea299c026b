"""The manifest reference in Markdown, generated from the JSON Schemas (and so the models).

docs/reference.md embeds this text; a test keeps the two identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.manifests.kinds import KINDS
from reconciler.manifests.schemas import PROJECT_FILE, all_schemas

Schema = dict[str, Any]


def render_reference() -> str:
    schemas = all_schemas()
    sections = [
        _section(f"`{name}`", schemas[kind.SCHEMA_FILE], kind.__doc__ or "")
        for name, kind in KINDS.items()
    ]
    sections.append(
        _section("`reconcile.yaml`", schemas[PROJECT_FILE], "The project file (optional).")
    )
    return "\n".join(sections)


def _section(title: str, schema: Schema, summary: str) -> str:
    lines = [
        f"#### {title}",
        "",
        summary.strip().splitlines()[0],
        "",
        "| Field | Type | Required | Description |",
        "|---|---|---|---|",
    ]
    lines += [_row(*row) for row in _rows(schema, schema.get("$defs", {}), "")]
    return "\n".join(lines) + "\n"


def _row(path: str, type_text: str, required: bool, description: str) -> str:
    cells = [f"`{path}`", type_text, "yes" if required else "", description]
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"


def _resolve(schema: Schema, defs: Schema) -> Schema:
    if "$ref" in schema:
        return {
            **defs[schema["$ref"].split("/")[-1]],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        merged = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**_resolve(options[0], defs), **merged}
    return schema


def _rows(schema: Schema, defs: Schema, prefix: str) -> Iterator[tuple[str, str, bool, str]]:
    required = set(schema.get("required", []))
    for name, raw in schema.get("properties", {}).items():
        field = _resolve(raw, defs)
        path = f"{prefix}{name}"
        yield path, _type_text(field, defs), name in required, _description(raw, field)
        if "properties" in field:
            yield from _rows(field, defs, f"{path}.")
        for variant in _variants(field, defs):
            yield from _rows(variant, defs, f"{path}.")


def _variants(schema: Schema, defs: Schema) -> list[Schema]:
    return [_resolve(option, defs) for option in schema.get("oneOf", [])]


def _description(raw: Schema, field: Schema) -> str:
    return str(raw.get("description") or field.get("description") or "").strip()


def _type_text(schema: Schema, defs: Schema) -> str:
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "oneOf" in schema:
        return "one of the variants below"
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type_text(_resolve(schema.get('items', {}), defs), defs)}"
    if kind == "object" and "properties" not in schema:
        return _map_text(schema, defs)
    if kind == "object":
        return "mapping"
    text = {"boolean": "boolean", "integer": "integer"}.get(str(kind), str(kind or "any"))
    if schema.get("format") == "duration":
        return "ISO-8601 duration"
    if schema.get("format") == "date-time":
        text = "date-time"
    if "pattern" in schema:
        text += f" matching `{schema['pattern']}`"
    if "maxLength" in schema:
        low = f"{schema['minLength']}-" if "minLength" in schema else "at most "
        text += f", {low}{schema['maxLength']} characters"
    return text


def _map_text(schema: Schema, defs: Schema) -> str:
    # Maps of lists (drift ignore rules) say so; other maps keep the plain wording.
    patterns = list((schema.get("patternProperties") or {}).values())
    values = schema.get("additionalProperties") or (patterns[0] if patterns else None)
    if isinstance(values, dict) and values.get("type") == "array":
        return f"map of string to {_type_text(values, defs)}"
    return "map of string to string"
