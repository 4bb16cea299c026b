"""CustomerBilling: a Konnect customer, its billing profile and its Stripe customer, and the
checkout and portal sessions that onboard a customer with no Stripe customer yet.

By job: `live` (the typed live link), `reading` (bulk reads), `comparing`, `pins` (profile
pins and following the default), `moves` (moved links), `checkout_state` (checkout
onboarding in the plan), `applied_label` (the applied-digest label), `stripe_checks`,
`writing`, `export`; `resource` puts them behind the kind protocol, and `checkout` serves
the checkout-url and portal-url commands.
"""

from __future__ import annotations

from reconciler.kinds.customer_billing.applied_label import applied_digest
from reconciler.kinds.customer_billing.live import ADDRESS_TYPE
from reconciler.kinds.customer_billing.resource import CustomerBillingResource

__all__ = ["ADDRESS_TYPE", "CustomerBillingResource", "applied_digest"]
