"""Reads reach the floor: one list call per page, one billing GET per declared customer, one
listing of the customers pinned to the default profile, and the Stripe customers read by
listing the account only when the links are many."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.core.stripe_facts import FEW_CUSTOMERS
from reconciler.engine.planning.planner import PlanOptions, make_plan
from reconciler.kinds import RESOURCES
from reconciler.manifests import load_manifests
from reconciler.targets import connect
from tests.e2e.worlds import STRIPE_APP, SUPPLIER, World, manifest, write_manifests

PROFILE = manifest(
    "BillingProfile", "main", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)
# Three pages of Stripe's customer list.
ACCOUNT_SIZE = 250


def link(key: str, stripe_customer: str) -> dict[str, Any]:
    return manifest(
        "CustomerBilling",
        key,
        {"customer": {"key": key}, "stripe": {"customer_id": stripe_customer}},
    )


def plan_requests(project: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Konnect's and Stripe's requests per route for a plan that must be clean."""
    manifests = load_manifests(project)
    with connect(manifests, None) as connection:
        plan, _ = make_plan(
            manifests, RESOURCES, connection.sources, connection.secrets, PlanOptions()
        )
        konnect = connection.sources.konnect.counter.requests()
        stripe = connection.sources.stripe.counter.requests()
    assert plan.is_noop and not plan.findings, plan.findings
    return konnect, stripe


def linked_world(world: World, project: Path, links: int, *, others: int = 0) -> None:
    """`links` customers, each linked to a Stripe customer of its own that has a card, in an
    account holding `others` more Stripe customers."""
    app = world.stripe_app()
    world.profile(app, "main", default=True)
    for index in range(others):
        world.stripe_customer(name=f"other {index}")
    documents = []
    for index in range(links):
        stripe_customer = world.stripe_customer()
        world.card(stripe_customer)
        world.link(world.customer(f"c{index}"), stripe_customer)
        documents.append(link(f"c{index}", stripe_customer))
    write_manifests(project, STRIPE_APP, PROFILE, *documents)


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
        links.append(link(f"c{index}", stripe_customer))
    world.customer("not-declared", labels={})
    write_manifests(project, STRIPE_APP, PROFILE, *links)
    konnect, stripe = plan_requests(project)
    # The second customer listing finds the customers pinned to the default profile, which
    # the billing GET cannot tell from those following it; the profiles are listed once, for
    # the profiles and for the default's id.
    assert konnect == {
        "GET /openmeter/apps": 1,
        "GET /openmeter/profiles": 1,
        "GET /openmeter/tax-codes": 1,
        "GET /openmeter/customers": 2,
        "GET /openmeter/customers/{customerId}/billing": 5,
        # The catalog is listed even when none is declared: what reconcile owns may be pruned.
        "GET /openmeter/meters": 1,
        "GET /openmeter/features": 1,
        "GET /openmeter/plans": 1,
        "GET /openmeter/addons": 1,
    }
    # One Stripe customer for five links: one GET, which carries its invoice-default card.
    assert stripe["GET /v1/customers/{id}"] == 1
    assert "GET /v1/customers" not in stripe
    assert not any("payment_methods" in route for route in stripe)


def test_few_links_in_a_large_account_read_their_customers_one_by_one(
    world: World, project: Path
) -> None:
    linked_world(world, project, 5, others=ACCOUNT_SIZE)
    _, stripe = plan_requests(project)
    assert stripe["GET /v1/customers/{id}"] == 5
    assert "GET /v1/customers" not in stripe
    assert not any("payment_methods" in route for route in stripe)


def test_many_links_list_the_account_instead(world: World, project: Path) -> None:
    linked_world(world, project, FEW_CUSTOMERS + 1, others=ACCOUNT_SIZE - FEW_CUSTOMERS - 1)
    _, stripe = plan_requests(project)
    assert stripe["GET /v1/customers"] == 3
    assert "GET /v1/customers/{id}" not in stripe
    assert not any("payment_methods" in route for route in stripe)


def test_one_read_at_a_time_still_lists_more_than_a_page_of_pinned_customers(
    world: World, project: Path
) -> None:
    """The pinned listing shares the read pool with the billing GETs; with one reader it
    must not wait on pages queued behind itself."""
    app = world.stripe_app()
    default = world.profile(app, "main", default=True)
    stripe_customer = world.stripe_customer()
    world.card(stripe_customer)
    pinned = 101  # one more than Konnect's largest page
    documents = []
    for index in range(pinned):
        world.link(world.customer(f"c{index}"), stripe_customer, profile=default)
        documents.append(link(f"c{index}", stripe_customer))
    write_manifests(project, STRIPE_APP, PROFILE, *documents)
    manifests = load_manifests(project)
    with connect(manifests, None, concurrency=1) as connection:
        plan, _ = make_plan(
            manifests, RESOURCES, connection.sources, connection.secrets, PlanOptions()
        )
        konnect = connection.sources.konnect.counter.requests()
    # Pinned where the manifests leave them on the default: a warning each, and no change.
    assert not any(a.is_change for a in plan.actions)
    assert konnect["GET /openmeter/customers"] == 4  # two pages of all, two of the pinned
