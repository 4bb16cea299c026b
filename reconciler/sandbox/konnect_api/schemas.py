"""Request building blocks shared by several resources, sealed as the v3 document seals them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.store import Document

ULID = Annotated[str, StringConstraints(pattern=r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Description = Annotated[str, StringConstraints(max_length=1024)]
ResourceKey = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
LabelValue = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=63, pattern=r"^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$"
    ),
]
Labels = Annotated[dict[str, LabelValue], Field(max_length=50)]


class Sealed(BaseModel):
    """Unknown properties are a 400 `unknown_property`, as with `additionalProperties: false`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def present(self) -> dict[str, Any]:
        """The fields the caller sent, as plain JSON values."""
        dumped: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True)
        return dumped


class Reference(Sealed):
    id: ULID


class Address(Sealed):
    country: CountryCode | None = None
    postal_code: str | None = None
    state: str | None = None
    city: str | None = None
    line1: str | None = None
    line2: str | None = None
    phone_number: str | None = None


def stamp_new(doc: Document) -> Document:
    now = rfc3339_now()
    doc["created_at"] = now
    doc["updated_at"] = now
    return doc


def public(doc: Document) -> Document:
    """The document without the sandbox's `_` bookkeeping fields."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def set_optional(doc: Document, field: str, value: Any) -> None:
    """Full replacement: a field the caller left out disappears from the resource."""
    if value is None:
        doc.pop(field, None)
    else:
        doc[field] = value
