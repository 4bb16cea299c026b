"""A customer link's Stripe checks over the real client against the sandbox, for the cases a
plan cannot stage: a read that fails after the account was read fine."""

from __future__ import annotations

import httpx
import stripe

from reconciler.clients.retry import NO_RETRIES
from reconciler.clients.stripe_api import StripeApi
from reconciler.core.actions import Address
from reconciler.core.plan import Finding
from reconciler.core.stripe_facts import StripeFacts
from reconciler.kinds.customer_billing.stripe_checks import stripe_findings
from reconciler.sandbox import SandboxServer
from tests.conftest import SANDBOX_STRIPE_KEY

LINK = Address(type="customer_billing", name="acme")


def test_a_payment_method_that_cannot_be_read_blocks_instead_of_passing(
    sandbox_server: SandboxServer, stripe_client: stripe.StripeClient, admin: httpx.Client
) -> None:
    customer = stripe_client.v1.customers.create({"email": "a@example.com"})
    named = stripe_client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    with StripeApi(
        SANDBOX_STRIPE_KEY, base_url=sandbox_server.url, retry=NO_RETRIES, max_network_retries=0
    ) as api:
        facts = StripeFacts(api)
        facts.retrieve_customers([customer.id])
        facts.account()  # the key reads its account: only the one read fails
        admin.put("/faults", json={"fault_rate": 1.0, "fault_statuses": [500]}).raise_for_status()
        findings = stripe_findings(
            LINK,
            facts,
            customer_id=customer.id,
            payment_method_id=named.id,
            collection_method="charge_automatically",
            tax_enforced=False,
        )
    assert findings == [
        Finding.blocking(
            LINK,
            f"payment method {named.id} could not be read from Stripe (Stripe API: 500 api_error: "
            "An unexpected error occurred while processing your request.), so the link is "
            "unchecked",
            "plan again; if it keeps failing, check Stripe's status and the key's read access",
        )
    ]
