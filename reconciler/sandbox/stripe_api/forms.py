"""Stripe's form encoding: `metadata[k]=v`, `expand[]=a`, `enabled_events[0]=b` into nested values.

Bodies and query strings use the same notation. `[]` appends and `[n]` indexes a list (the SDK
sends the latter); any other bracketed name opens a hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from reconciler.sandbox.stripe_api.errors import StripeError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class _Indexed(dict[int, Any]):
    """A list while it is being filled: positions may arrive in any order."""


Params = dict[str, Any]


def parse_form(body: bytes) -> Params:
    try:
        text = body.decode()
    except UnicodeDecodeError as error:
        raise StripeError(400, "Invalid request: the body is not valid UTF-8.") from error
    return parse_pairs(parse_qsl(text, keep_blank_values=True))


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> Params:
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, _path_of(key), value)
    finished: Params = _finish(root)
    return finished


def _path_of(key: str) -> list[str]:
    match = _KEY.match(key)
    if match is None:
        raise StripeError(400, f"Invalid request: malformed parameter name '{key}'.", param=key)
    return [match.group(1), *_SEGMENT.findall(match.group(2))]


def _insert(root: dict[str, Any], path: list[str], value: str) -> None:
    node: dict[Any, Any] = root
    for depth, segment in enumerate(path[:-1]):
        key = _slot(node, segment, path[0])
        child = node.get(key)
        wants_list = _is_index(path[depth + 1])
        if not isinstance(child, dict):
            child = _Indexed() if wants_list else {}
            node[key] = child
        elif isinstance(child, _Indexed) != wants_list:
            raise StripeError(
                400, f"Invalid parameter: {path[0]} mixes list and hash.", param=path[0]
            )
        node = child
    node[_slot(node, path[-1], path[0])] = value


def _is_index(segment: str) -> bool:
    return segment == "" or segment.isdigit()


def _slot(node: dict[Any, Any], segment: str, name: str) -> Any:
    if not isinstance(node, _Indexed):
        return segment
    if segment == "":
        return len(node)
    if segment.isdigit():
        return int(segment)
    raise StripeError(400, f"Invalid array: {name}.", param=name)


def _finish(value: Any) -> Any:
    if isinstance(value, _Indexed):
        if sorted(value) == list(range(len(value))):
            return [_finish(value[index]) for index in range(len(value))]
        # Gaps mean the numbers were names (metadata[7]=...), not positions.
        return {str(index): _finish(item) for index, item in value.items()}
    if isinstance(value, dict):
        return {key: _finish(item) for key, item in value.items()}
    return value
