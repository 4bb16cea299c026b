"""What a plan proposes: one action per resource, with its field changes and its reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"
    BLOCKED = "blocked"


class Address(BaseModel):
    """A resource's stable handle, rendered like Terraform's: `billing_profile.enterprise`."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    type: str = Field(description="The resource type: `stripe_app`, `billing_profile`, ...")
    name: str = Field(description="The manifest's `metadata.name`, or the live object's key.")

    def __str__(self) -> str:
        return f"{self.type}.{self.name}"

    @classmethod
    def parse(cls, text: str) -> Address:
        type_, dot, name = text.partition(".")
        if not dot or not type_ or not name:
            raise ValueError(f"not a resource address: {text!r} (expected TYPE.NAME)")
        return cls(type=type_, name=name)


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
    depends_on: frozenset[Address] = Field(
        default_factory=frozenset, description="Resources whose actions come first."
    )
    # Resources the live object refers to now and will no longer refer to once this action
    # is done: their deletion must wait for it (a profile is deleted after its customers move).
    releases: frozenset[Address] = Field(
        default_factory=frozenset,
        description="Resources this action stops referring to; deleting them waits for it.",
    )
    # What the live object looked like when planned (`staleness.observation`): a digest, or
    # "absent" for a create. None when not recorded; such an action is never called stale.
    observed: str | None = Field(
        None, description="Digest of the live object as planned (`absent` for a create)."
    )

    @field_serializer("depends_on", "releases")
    def _in_address_order(self, addresses: frozenset[Address]) -> list[Address]:
        # A set serialises in hash order, which changes from run to run; outputs are diffed.
        return sorted(addresses, key=str)

    @property
    def is_change(self) -> bool:
        return self.type not in (ActionType.NOOP, ActionType.BLOCKED)
