"""Hypothesis strategies for the values a JSON Schema of the v3 document admits.

Covers what the document's request schemas use: `$ref`, `allOf` (merged), `oneOf`/`anyOf`,
`enum`, objects (required, optional, sealed or with typed additional properties), strings
(length, pattern, date-time and ISO 8601 duration formats), integers, booleans, arrays and
schemas that admit any value.
`hints` replace the strategy of a named schema (`ULID`) or property (`api_key`), so that
generated requests can name objects that exist and keys the sandbox knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

Schema = dict[str, Any]
Strategy = st.SearchStrategy[Any]
# Durations drawn whole, not from the document's pattern: it admits `P` and `PT`, which
# the server reads as an invalid duration and silently replaces.
DURATIONS = ("P0D", "PT1H", "PT30M", "P1D", "P1W", "P2W", "P1M", "P30D", "P1Y", "PT0S")


class SchemaStrategies:
    def __init__(self, document: Mapping[str, Any], hints: Mapping[str, Strategy]) -> None:
        self.schemas: Mapping[str, Schema] = document["components"]["schemas"]
        self.hints = hints

    def of(self, schema: Schema) -> Strategy:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in self.hints:
                return self.hints[name]
            return st.deferred(lambda: self.of(self.schemas[name]))
        if "allOf" in schema:
            [first, *others] = schema["allOf"]
            if not others and "$ref" in first and not {"type", "properties"} & schema.keys():
                return self.of(first)  # a described reference: keep its name for the hints
            return self.of(self.merged(schema))
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return st.one_of([self.of(choice) for choice in schema[combinator]])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        if "const" in schema:
            return st.just(schema["const"])
        return self._typed(schema)

    def merged(self, schema: Schema) -> Schema:
        """`allOf` folded into one schema: properties and requirements add up."""
        merged: Schema = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            resolved = self.resolved(part)
            if "allOf" in resolved:
                resolved = self.merged(resolved)
            properties = {**resolved.get("properties", {}), **merged.get("properties", {})}
            required = [*resolved.get("required", []), *merged.get("required", [])]
            merged = {**resolved, **merged}
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = sorted(set(required))
        return merged

    def resolved(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _typed(self, schema: Schema) -> Strategy:
        kind = schema.get("type")
        makers: dict[str, Callable[[Schema], Strategy]] = {
            "object": self._object,
            "array": self._array,
            "string": _string,
            "integer": _integer,
            "number": _number,
            "boolean": lambda s: st.booleans(),
        }
        if kind is None and not {"properties", "items"} & schema.keys():
            # Any JSON value (an entitlement's free-form config): a few plain ones.
            return st.one_of(st.text(max_size=8), st.integers(), st.booleans())
        if kind not in makers:
            raise NotImplementedError(f"no strategy for schema {schema}")
        return makers[kind](schema)

    def _object(self, schema: Schema) -> Strategy:
        properties: dict[str, Schema] = schema.get("properties", {})
        required = set(schema.get("required", []))
        writable = {
            name: prop
            for name, prop in properties.items()
            if not self.resolved(prop).get("readOnly") and not prop.get("readOnly")
        }
        fixed = st.fixed_dictionaries(
            {
                name: self._property(name, prop)
                for name, prop in writable.items()
                if name in required
            },
            optional={
                name: self._property(name, prop)
                for name, prop in writable.items()
                if name not in required
            },
        )
        extra = schema.get("additionalProperties")
        if not isinstance(extra, dict) or properties:
            return fixed
        keys = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
        size = schema.get("maxProperties", 5)
        return st.dictionaries(keys, self.of(extra), max_size=min(size, 5))

    def _property(self, name: str, schema: Schema) -> Strategy:
        return self.hints[name] if name in self.hints else self.of(schema)

    def _array(self, schema: Schema) -> Strategy:
        low = schema.get("minItems", 0)
        # Short lists: a plan nests phases, rate cards and tiers, and sizes multiply.
        high = schema.get("maxItems", low + 2)
        return st.lists(
            self.of(schema.get("items", {"type": "string"})), min_size=low, max_size=high
        )


def _string(schema: Schema) -> Strategy:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("format") == "ISO8601":
        return st.sampled_from(DURATIONS)
    if schema.get("format") == "date-time":
        moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
        return moments.map(lambda moment: moment.replace(tzinfo=UTC).isoformat())
    if "pattern" in schema:
        matching = st.from_regex(schema["pattern"], fullmatch=True)
        return matching.filter(lambda text: low <= len(text) <= (high or len(text)))
    return st.text(min_size=low, max_size=max(low, min(high or 40, 40)))  # short, to stay fast


def _integer(schema: Schema) -> Strategy:
    return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))


def _number(schema: Schema) -> Strategy:
    return st.floats(
        min_value=schema.get("minimum"),
        max_value=schema.get("maximum"),
        allow_nan=False,
        allow_infinity=False,
    )
