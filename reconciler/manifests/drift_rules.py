"""`drift:` in `reconcile.yaml`: which live differences `reconcile drift` does not report.

Rules map an address glob (`billing_profile.*`, `customer_billing.acme-corp`) to the field
paths to ignore there, as plan prints them; a path also covers every field below it.
"""

from __future__ import annotations

import difflib
import re
from fnmatch import fnmatchcase
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from reconciler.manifests.common import StrictModel

# The resource address types (`reconcile plan` prints `TYPE.NAME`); a test keeps this list
# equal to the resource registry's, which the manifest layer cannot import.
ADDRESS_TYPES = (
    "stripe_app",
    "tax_code",
    "tax_defaults",
    "billing_profile",
    "customer_billing",
    "meter",
    "feature",
    "addon",
    "plan",
)
_ADDRESS_GLOB = rf"^(?:{'|'.join(ADDRESS_TYPES)})\.\S+$"
_FIELD_PATH = r"^[^\s.]+(?:\.[^\s.]+)*$"


def _check_address_glob(value: str) -> str:
    type_, dot, name = value.partition(".")
    if not dot or not type_ or not name or re.search(r"\s", name):
        raise PydanticCustomError(
            "bad-address",
            "expected TYPE.NAME, e.g. billing_profile.* or customer_billing.acme-corp",
        )
    if type_ not in ADDRESS_TYPES:
        close = difflib.get_close_matches(type_, ADDRESS_TYPES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise PydanticCustomError(
            "unknown-address-type",
            "unknown address type '{type}'{hint}; expected one of {types}",
            {"type": type_, "hint": hint, "types": ", ".join(ADDRESS_TYPES)},
        )
    return value


def _check_field_path(value: str) -> str:
    if not re.fullmatch(_FIELD_PATH, value):
        raise PydanticCustomError(
            "bad-format", "a field path is dotted names as plan prints them, e.g. supplier.name"
        )
    return value


AddressGlob = Annotated[
    str,
    AfterValidator(_check_address_glob),
    WithJsonSchema({"type": "string", "pattern": _ADDRESS_GLOB}),
]
FieldPath = Annotated[
    str,
    AfterValidator(_check_field_path),
    WithJsonSchema({"type": "string", "pattern": _FIELD_PATH}),
]


class DriftSettings(StrictModel):
    """How `reconcile drift` reports differences."""

    ignore: dict[AddressGlob, list[FieldPath]] = Field(
        default_factory=dict,
        description="Differences that are not drift: address glob (`TYPE.NAME`, `*` and `?` "
        "in NAME) to the field paths to ignore there, as plan prints them; a path also covers "
        "the fields below it (`supplier` covers `supplier.name`).",
    )

    def ignores(self, address: str, path: str) -> bool:
        """Whether the field `path` of the resource at `address` is ignored by a rule."""
        return any(
            fnmatchcase(address, glob) and any(_covers(prefix, path) for prefix in prefixes)
            for glob, prefixes in self.ignore.items()
        )


def _covers(prefix: str, path: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")
