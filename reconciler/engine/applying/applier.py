"""What the executor does per action, through the resource protocol: write, or check first.

The applier turns an action into the kind's create/update/replace/delete call, remembers the
ids of the objects it creates (later actions refer to them), and, right before each write,
re-reads the object to tell whether it is still as the plan saw it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.core.actions import Action, ActionType, Address
from reconciler.core.kind import Resource, World, Writer
from reconciler.core.live import Desired, Live
from reconciler.core.observation import LiveDocument, check_observation
from reconciler.engine.applying.executor import ActionResult


class Applier:
    def __init__(self, resources: Sequence[Resource], world: World, writer: Writer) -> None:
        self._kinds = {resource.address_type: resource for resource in resources}
        self._world = world
        self._writer = writer

    def perform(self, action: Action) -> ActionResult:
        resource = self._kinds[action.address.type]
        if action.type is ActionType.CREATE:
            new_id = resource.create(self._desired(action.address), self._writer)
            self._writer.record_created(action.address, new_id)
            return ActionResult(new_id)
        live = self._live(action.address)
        if action.type is ActionType.UPDATE:
            return ActionResult(resource.update(self._desired(action.address), live, self._writer))
        if action.type is ActionType.REPLACE:
            new_id = resource.replace(self._desired(action.address), live, self._writer)
            self._writer.record_created(action.address, new_id)
            return ActionResult(new_id)
        if action.type is ActionType.DELETE:
            resource.delete(live, self._writer)
            return ActionResult(live.id)
        raise ValueError(f"{action.address}: nothing to apply for a {action.type.value} action")

    def precondition(self, action: Action) -> str | None:
        """None when the object is still as planned; else why the write must not happen."""
        if action.observed is None:
            return None
        if (
            action.type is ActionType.CREATE
            and self._kinds[action.address.type].create_refused_when_present
        ):
            return None  # the create's own 409 tells that the object is there
        return check_observation(action, self.current(action.address))

    def current(self, address: Address) -> LiveDocument:
        """The object behind `address` as it is now, as its kind observes it (None: absent)."""
        resource = self._kinds[address.type]
        live = self._world.live_of(address)
        konnect = self._writer.konnect
        now = (
            resource.fetch(konnect, live)
            if live
            else resource.find(konnect, self._desired(address))
        )
        return None if now is None else resource.observe(now)

    def observed(self, addresses: Sequence[Address]) -> Mapping[Address, LiveDocument]:
        """The objects as read for the plan (no new requests), for a saved plan's check."""
        result: dict[Address, LiveDocument] = {}
        for address in addresses:
            live = self._world.live_of(address)
            result[address] = None if live is None else self._kinds[address.type].observe(live)
        return result

    def _desired(self, address: Address) -> Desired:
        desired = self._world.desired_of(address)
        if desired is None:
            raise LookupError(f"{address} is in no manifest")
        return desired

    def _live(self, address: Address) -> Live:
        live = self._world.live_of(address)
        if live is None:
            raise LookupError(f"{address} has no live object")
        return live
