"""Reads reach the floor: one list call per page, one billing GET per declared customer."""

from __future__ import annotations

from pathlib import Path

from reconciler.engine.planner import PlanOptions, make_plan
from reconciler.manifests import load_manifests
from reconciler.resources import RESOURCES
from reconciler.targets import connect
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests


def test_plan_reads_each_list_once_and_billing_per_declared_customer(
    world: World, project: Path
) -> None:
    app = world.stripe_app()
    world.profile(app, "main", default=True)
    stripe_customer = world.stripe_customer()
    world.card(stripe_customer)
    links = []
    for index in range(5):
        customer = world.customer(f"c{index}")
        world.link(customer, stripe_customer)
        links.append(
            manifest(
                "CustomerBilling",
                f"c{index}",
                {"customer": {"key": f"c{index}"}, "stripe": {"customer_id": stripe_customer}},
            )
        )
    world.customer("not-declared", labels={})
    profile = manifest(
        "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
    )
    write_manifests(project, STRIPE_APP, profile, *links)
    manifests = load_manifests(project)
    with connect(manifests, None) as connection:
        plan, _ = make_plan(
            manifests, RESOURCES, connection.sources, connection.secrets, PlanOptions()
        )
        konnect = connection.sources.konnect.counter.requests()
        stripe = connection.sources.stripe.counter.requests()
    assert plan.is_noop and not plan.findings, plan.findings
    assert konnect == {
        "GET /openmeter/apps": 1,
        "GET /openmeter/profiles": 1,
        "GET /openmeter/tax-codes": 1,
        "GET /openmeter/customers": 1,
        "GET /openmeter/customers/{customerId}/billing": 5,
    }
    # The invoice-default card comes expanded in the customer list: no per-customer GET.
    assert stripe.get("GET /v1/customers") == 1
    assert not any("/v1/customers/{id}" in route for route in stripe)
