"""Pins: a customer pinned to a profile stays there when the default changes, and the v3 API
cannot unpin. A link whose manifest names no profile follows the default; when Konnect has it
pinned anyway, the plan warns (a finding) and drift reports it (out of band).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.live import Desired, OutOfBand
from reconciler.core.plan import Finding, Severity
from reconciler.kinds.billing_profile import ADDRESS_TYPE as PROFILE
from reconciler.kinds.customer_billing.live import Pinning, link_of, live_default


@dataclass(frozen=True)
class Pin:
    """A customer its manifest leaves on the default profile, as Konnect has it pinned."""

    address: Address
    profile: str  # the profile it is pinned to
    to_default: bool  # ... which is the default today
    default: str | None  # the manifest's default profile, which the link means to follow


def undeclared_pins(world: World, links: list[Desired]) -> list[Pin]:
    """The pins of the links whose manifests leave them following the default."""
    return [
        pin
        for desired in links
        if "billing_profile" in desired.advisory and (pin := pin_of(desired, world)) is not None
    ]


def pin_of(desired: Desired, world: World) -> Pin | None:
    live = link_of(world.live_of(desired.address))
    effective = live.profile_id if live is not None else None
    if live is None or effective is None:
        return None
    default = live_default(world)
    to_default = default is not None and effective == default.id
    if to_default and live.pinning is not Pinning.PINNED:
        return None  # follows the default, or not known (`unknown_pins` says so)
    return Pin(
        address=desired.address,
        profile=str(world.name_of(PROFILE, effective)),
        to_default=to_default,
        default=desired.document.get("billing_profile"),
    )


def pin_finding(pin: Pin) -> Finding:
    if pin.to_default:
        message = (
            f"Konnect has this customer pinned to the default profile {pin.profile}, which the "
            f"manifest leaves it following: after a change of default it would stay on "
            f"{pin.profile}, and the v3 API cannot unpin a customer"
        )
    else:
        message = (
            f"the manifest leaves this customer on the default profile, but Konnect has it "
            f"pinned to {pin.profile}, and the v3 API cannot unpin a customer"
        )
    return Finding(
        address=pin.address, severity=Severity.WARNING, message=message, fix=_pin_fix(pin)
    )


def pin_drift(pin: Pin) -> OutOfBand:
    if pin.to_default:
        message = (
            "pinned to the default profile out of band: it would stay there after a change of "
            "default; the v3 API cannot unpin a customer"
        )
    else:
        message = (
            f"pinned to {pin.profile} out of band: it is billed through that profile, not the "
            "default; the v3 API cannot unpin a customer"
        )
    followed = f"{pin.default} " if pin.default else ""
    return OutOfBand(
        address=pin.address,
        path="billing_profile",
        manifest=f"{followed}(as the default, not pinned)",
        live=f"{pin.profile} (pinned)",
        message=message,
        fix=_pin_fix(pin),
    )


def _pin_fix(pin: Pin) -> str:
    if pin.to_default:
        return f"set spec.billing_profile to {pin.profile} to make the pin explicit"
    default = pin.default or "the default profile's name"
    return (
        f"set spec.billing_profile to {pin.profile} to keep it there, or to {default} to pin "
        "it to the default"
    )


def unknown_pins(world: World, links: list[Desired]) -> list[Finding]:
    """Says what the plan assumed of the links on the default when Konnect would not tell
    which customers are pinned to it."""
    default = live_default(world)
    unknown = [
        desired
        for desired in links
        if (live := link_of(world.live_of(desired.address))) is not None
        and live.pinning is Pinning.UNKNOWN
    ]
    if default is None or not unknown:
        return []
    following = sum(1 for d in unknown if "billing_profile" in d.advisory)
    return [
        Finding(
            address=world.address_of(PROFILE, default),
            severity=Severity.WARNING,
            message=f"Konnect refused the customer filter filter[billing_profile_id], so "
            f"customers pinned to this default profile cannot be told from those following "
            f"it: of the {len(unknown)} link(s) on it, the plan takes the {following} that "
            f"name no profile to follow it and the {len(unknown) - following} that name it to "
            "be pinned to it",
            fix="before the default changes, check those customers' pins in Konnect: a pin "
            "the plan does not see is neither written nor warned of",
        )
    ]
