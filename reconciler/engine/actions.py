"""What a plan proposes: one action per resource, with its field changes and its reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"
    BLOCKED = "blocked"


class Address(BaseModel):
    """A resource's stable handle, rendered like Terraform's: `billing_profile.enterprise`."""

    model_config = ConfigDict(frozen=True)

    type: str
    name: str

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

    model_config = ConfigDict(frozen=True)

    path: str
    before: Any = None
    after: Any = None
    sensitive: bool = False
    forces_replacement: bool = False


class Action(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: Address
    type: ActionType
    changes: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()
    depends_on: frozenset[Address] = Field(default_factory=frozenset)
    # Resources the live object refers to now and will no longer refer to once this action
    # is done: their deletion must wait for it (a profile is deleted after its customers move).
    releases: frozenset[Address] = Field(default_factory=frozenset)
    # What the live object looked like when planned (`staleness.observation`): a digest, or
    # "absent" for a create. None when not recorded; such an action is never called stale.
    observed: str | None = None

    @property
    def is_change(self) -> bool:
        return self.type not in (ActionType.NOOP, ActionType.BLOCKED)
