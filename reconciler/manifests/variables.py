"""`${var:NAME}`: a target's values put into its manifests before they are validated.

A scalar that is one reference and nothing else takes the var's value as `reconcile.yaml`
writes it (a string, a number or a boolean), as if written in its place; a reference inside
longer text is replaced by the value's text. The document is then validated as any other, so
a value that does not fit its field fails as it would written literally, and each problem
at a substituted value is moved to the reference and names the var and the target.

Secrets never come from vars: a var holds no reference (the project model refuses
`${env:...}` in a value), so a secret field given a `${var:...}` fails as a literal would.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.manifests.diagnostics import Diagnostic, Position
from reconciler.manifests.loader import Reference, Scalar, SourceDocument
from reconciler.manifests.references import Location

OPENING = "${var:"
_REFERENCE = re.compile(r"\$\{var:([A-Za-z_][A-Za-z0-9_]*)\}")
VarValue = str | int | float | bool
VAR_CODES = frozenset({"undefined-var", "var-reference"})


@dataclass(frozen=True)
class VarUse:
    """A scalar that held references: where it starts, where its first reference is, and the
    vars it named."""

    file_position: tuple[str, Position]
    reference: Position
    names: tuple[str, ...]
    # A reference could not be resolved: the scalar is left as written, and what validation
    # says of it is only the echo of that.
    unresolved: bool = False


@dataclass(frozen=True)
class Substituted:
    document: SourceDocument
    uses: tuple[VarUse, ...]
    diagnostics: tuple[Diagnostic, ...]


def substitute(
    document: SourceDocument, variables: Mapping[str, VarValue], target: str | None
) -> Substituted:
    """The document with every `${var:NAME}` replaced by the target's value; an undefined or
    malformed reference is a diagnostic at the reference, and its scalar is left as written."""
    # Keys are left as written: a var names a value.
    found = [r for r in document.references if OPENING in r.scalar.text and not r.is_key]
    if not found:
        return Substituted(document, (), ())
    values: dict[Location, VarValue] = {}
    uses: list[VarUse] = []
    problems: list[Diagnostic] = []
    replaced: dict[int, Reference] = {}
    for reference in found:
        scalar = reference.scalar
        wrong = list(_problems(document, scalar, variables, target))
        problems.extend(wrong)
        names = tuple(match.group(1) for match in _REFERENCE.finditer(scalar.text))
        first = scalar.text.index(OPENING)
        key = (str(document.file), scalar.position)
        uses.append(VarUse(key, _reference_position(scalar, first), names, bool(wrong)))
        if wrong:
            continue
        value = _value_of(scalar.text, variables)
        values[scalar.loc] = value
        replaced[reference.place] = reference._replace(scalar=scalar._replace(text=_text(value)))
    substituted = document.with_values(_with_values(document.data, values), replaced)
    return Substituted(substituted, tuple(uses), tuple(problems))


def attribute(
    diagnostics: Iterable[Diagnostic], uses: Iterable[VarUse], target: str | None
) -> Iterator[Diagnostic]:
    """Problems at a substituted value, moved to the reference and told where it came from."""
    by_scalar = {use.file_position: use for use in uses}
    for diagnostic in diagnostics:
        use = by_scalar.get((str(diagnostic.file), diagnostic.position))
        if use is None or diagnostic.code in VAR_CODES:
            yield diagnostic
            continue
        if use.unresolved:
            continue
        references = ", ".join("${var:" + name + "}" for name in use.names)
        message = f"{diagnostic.message} (the value of {references} of target {target!r})"
        yield dataclasses.replace(diagnostic, position=use.reference, message=message)


def _problems(
    document: SourceDocument,
    scalar: Scalar,
    variables: Mapping[str, VarValue],
    target: str | None,
) -> Iterator[Diagnostic]:
    start = 0
    while (offset := scalar.text.find(OPENING, start)) >= 0:
        start = offset + len(OPENING)
        match = _REFERENCE.match(scalar.text, offset)
        position = _reference_position(scalar, offset)
        if match is None:
            message = "a var is referenced as ${var:NAME}, NAME of letters, digits and '_'"
            yield _diagnostic(document, position, "var-reference", message)
        elif match.group(1) not in variables:
            message = _undefined(match.group(1), target)
            yield _diagnostic(document, position, "undefined-var", message)


def _undefined(name: str, target: str | None) -> str:
    if target is None:
        return (
            f"${{var:{name}}}: no target is chosen, so no var is defined; "
            "name a target with --target, or set default_target in reconcile.yaml"
        )
    return (
        f"${{var:{name}}} is not defined for target {target!r}: "
        f"add {name} under targets.{target}.vars in reconcile.yaml"
    )


def _diagnostic(
    document: SourceDocument, position: Position, code: str, message: str
) -> Diagnostic:
    return Diagnostic(document.file, position, code, message, document.kind, document.name)


def _value_of(text: str, variables: Mapping[str, VarValue]) -> VarValue:
    whole = _REFERENCE.fullmatch(text)
    if whole is not None:
        return variables[whole.group(1)]
    return _REFERENCE.sub(lambda match: _text(variables[match.group(1)]), text)


def _text(value: VarValue) -> str:
    """The value as YAML would write it: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _reference_position(scalar: Scalar, offset: int) -> Position:
    """Where the reference at `offset` of the scalar's text is written: exact for a scalar
    on one line, plain or quoted; otherwise the scalar's start."""
    if scalar.style not in ("", "'", '"') or "\n" in scalar.text[:offset]:
        return scalar.position
    quote = 0 if scalar.style == "" else 1
    return Position(scalar.position.line, scalar.position.column + quote + offset)


def _with_values(data: Any, values: Mapping[Location, VarValue]) -> Any:
    """A copy of `data` with each location set to its value; the document read from the
    file stays as it was, for the next target's view of it."""
    copied = copy.deepcopy(data)
    for loc, value in values.items():
        if not loc:
            return value
        holder = copied
        try:
            for part in loc[:-1]:
                holder = holder[part]
            holder[loc[-1]] = value
        except (KeyError, IndexError, TypeError):  # a path through a merge key (`<<`)
            continue
    return copied
