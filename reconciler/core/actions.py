"""What a plan proposes: one action per resource, with its field changes and its reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_serializer,
    model_validator,
)

ADDRESS_JSON_SCHEMA = {
    "type": "string",
    "pattern": "^[a-z_]+\\..+$",
    "description": "TYPE.NAME, as `billing_profile.enterprise`.",
}


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"
    BLOCKED = "blocked"


class Address(BaseModel):
    """A resource's stable handle, rendered like Terraform's: `billing_profile.enterprise`.

    In JSON it is that string, as in Terraform's JSON output: the type never holds a dot, so
    the first dot splits it. The object form `{type, name}` is read too."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    type: str = Field(description="The resource type: `stripe_app`, `billing_profile`, ...")
    name: str = Field(description="The manifest's `metadata.name`, or the live object's key.")

    def __str__(self) -> str:
        return f"{self.type}.{self.name}"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            address = cls.parse(data)
            return {"type": address.type, "name": address.name}
        return data

    @model_serializer(mode="plain", when_used="json")
    def _as_text(self) -> Annotated[str, WithJsonSchema(ADDRESS_JSON_SCHEMA)]:
        return str(self)

    @classmethod
    def parse(cls, text: str) -> Address:
        type_, dot, name = text.partition(".")
        if not dot or not type_ or not name:
            raise ValueError(f"not a resource address: {text!r} (expected TYPE.NAME)")
        return cls(type=type_, name=name)


def _in_address_order(addresses: frozenset[Address]) -> list[Address]:
    # A set serialises in hash order, which changes from run to run; outputs are diffed.
    return sorted(addresses, key=str)


def _kept_as_given(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A frozenset of addresses as it is: validation would build an equal copy of it, one for
    each action, finding and notice that names it (thousands in a large plan)."""
    if type(value) is frozenset and all(type(item) is Address for item in value):
        return value
    return handler(value)


# A model's set of addresses: serialised as a list, in address order.
AddressSet = Annotated[
    frozenset[Address], WrapValidator(_kept_as_given), PlainSerializer(_in_address_order)
]
_NO_ADDRESSES: frozenset[Address] = frozenset()


def no_addresses() -> frozenset[Address]:
    """The default of an `AddressSet`: one empty set, shared (`frozenset()` is a new one)."""
    return _NO_ADDRESSES


class FieldChange(BaseModel):
    """One field's before → after. Secret fields carry no values at all, only the fact."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    path: str = Field(description="Dotted path of the field, as in the manifest's spec.")
    before: Any = Field(None, description="Live value; null when absent or sensitive.")
    after: Any = Field(None, description="Desired value; null when removed or sensitive.")
    sensitive: bool = Field(False, description="A secret: before and after are always null.")
    forces_replacement: bool = Field(
        False, description="The API cannot change this field in place."
    )


class Action(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    address: Address
    type: ActionType
    changes: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = Field(
        (), description="Why: a consequence, the reason it is blocked, an adoption note."
    )
    depends_on: AddressSet = Field(
        default_factory=no_addresses, description="Resources whose actions come first."
    )
    # Resources the live object refers to now and will no longer refer to once this action
    # is done: their deletion must wait for it (a profile is deleted after its customers move).
    releases: AddressSet = Field(
        default_factory=no_addresses,
        description="Resources this action stops referring to; deleting them waits for it.",
    )
    # What the live object looked like when planned (`staleness.observation`): a digest, or
    # "absent" for a create. None when not recorded; such an action is never called stale.
    observed: str | None = Field(
        None, description="Digest of the live object as planned (`absent` for a create)."
    )

    @property
    def is_change(self) -> bool:
        return self.type not in (ActionType.NOOP, ActionType.BLOCKED)
