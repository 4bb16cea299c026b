"""Whether a plan's currency is one its customers bill in.

A subscription invoices in its plan's currency, and Konnect holds a customer with a
currency to it; a plan priced in a currency no declared customer of any billing profile
uses is most likely a typo, or a plan nobody can subscribe to yet.
"""

from __future__ import annotations

from reconciler.core.actions import Address
from reconciler.core.kind import World
from reconciler.core.plan import Finding, Severity
from reconciler.manifests import CustomerBilling
from reconciler.manifests.plan import Plan

DEFAULT_PROFILE = "(the default profile)"


def currency_findings(world: World, address_type: str) -> list[Finding]:
    by_profile = _currencies_by_profile(world)
    used = {currency for currencies in by_profile.values() for currency in currencies}
    if not used:
        return []  # no declared customer names a currency: nothing to compare with
    return [
        Finding(
            address=Address(type=address_type, name=plan.name),
            severity=Severity.WARNING,
            message=(
                f"the plan is priced in {plan.spec.currency}, but the customers declared on "
                + ", ".join(
                    f"{profile} bill in {'/'.join(sorted(currencies))}"
                    for profile, currencies in sorted(by_profile.items())
                )
            ),
            fix="check the plan's currency; a subscription invoices in its plan's currency",
        )
        for plan in world.manifests.of_kind(Plan)
        if plan.spec.currency not in used
    ]


def _currencies_by_profile(world: World) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for link in world.manifests.of_kind(CustomerBilling):
        currency = link.spec.customer.currency
        if currency is not None:
            profile = link.spec.billing_profile or DEFAULT_PROFILE
            found.setdefault(profile, set()).add(currency)
    return found
