"""Adoption: mark live objects that manifests match as reconcile's, changing nothing else.

Nothing here knows a particular kind: the kind finds the live object by the manifest's key
and writes it back with reconcile's label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.core.actions import Address
from reconciler.core.kind import Adoption, DesiredContext, Resource, Sources
from reconciler.core.live import Desired, Live
from reconciler.core.secrets import SecretSource
from reconciler.errors import ReconcileError
from reconciler.manifests import ManifestSet


class AdoptionRefused(ReconcileError):
    """A named resource cannot be adopted; nothing was written."""


@dataclass(frozen=True)
class Adoptable:
    resource: Resource
    desired: Desired
    live: Live


def find_adoptable(
    manifests: ManifestSet,
    resources: Sequence[Resource],
    sources: Sources,
    secrets: SecretSource,
    addresses: Sequence[Address],
) -> list[Adoptable]:
    """The live object each address's manifest matches; refused unless every one is unowned."""
    context = DesiredContext(manifests=manifests, secrets=secrets)
    by_type = {r.address_type: r for r in resources}
    found = []
    for address in addresses:
        resource = by_type.get(address.type)
        if resource is None or resource.adoption is Adoption.NONE:
            raise AdoptionRefused(f"{address}: not a kind whose objects can be adopted")
        desired = next((d for d in resource.desired(context) if d.address == address), None)
        if desired is None:
            raise AdoptionRefused(f"{address}: no such manifest")
        found.append(Adoptable(resource, desired, _unowned_match(resource, sources, desired)))
    return found


def _unowned_match(resource: Resource, sources: Sources, desired: Desired) -> Live:
    # The first object with the key, as the planner binds it.
    live = next((o for o in resource.read(sources, [desired]) if o.key == desired.key), None)
    if live is None:
        raise AdoptionRefused(
            f"{desired.address}: no live {desired.address.type} with key {desired.key!r} to adopt"
        )
    if live.owned:
        raise AdoptionRefused(
            f"{desired.address}: already managed by reconcile (label managed-by: reconcile)"
        )
    return live


def adopt_all(found: Sequence[Adoptable], sources: Sources) -> None:
    for item in found:
        item.resource.adopt(item.live, sources.konnect)
