"""A seed file: the Stripe and Konnect objects a new sandbox world starts with.

Manifests name Stripe customers and payment methods by id, and link customers that other
systems created in Konnect. A sandbox starts empty, so a project can say what it should hold
first (`seed:` on a sandbox target); it is planted once, when the sandbox database is created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.cards import card_for_token

CustomerId = Annotated[str, StringConstraints(pattern=r"^cus_[A-Za-z0-9]+$")]
PaymentMethodId = Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9]+$")]


class SeedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(SeedModel):
    country: str | None = None
    postal_code: str | None = None
    state: str | None = None
    city: str | None = None
    line1: str | None = None
    line2: str | None = None


class PaymentMethod(SeedModel):
    id: PaymentMethodId
    card: str = Field(default="visa", description="test card brand: visa, mastercard, ...")
    billing_address: Address | None = None
    invoice_default: bool = False


class StripeCustomer(SeedModel):
    id: CustomerId
    name: str | None = None
    email: str | None = None
    address: Address | None = None
    payment_methods: list[PaymentMethod] = []


class KonnectCustomer(SeedModel):
    key: str
    name: str
    primary_email: str | None = None


class StripeSeed(SeedModel):
    customers: list[StripeCustomer] = []


class KonnectSeed(SeedModel):
    customers: list[KonnectCustomer] = []


class SandboxSeed(SeedModel):
    stripe: StripeSeed = StripeSeed()
    konnect: KonnectSeed = KonnectSeed()


class SeedError(Exception):
    exit_code = 1


def load_seed(path: Path) -> SandboxSeed:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SandboxSeed.model_validate(document)
    except OSError as error:
        raise SeedError(f"{path}: cannot read the sandbox seed: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SeedError(f"{path}: not YAML: {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise SeedError(f"{path}: not a sandbox seed: {problems}") from None


def plant(seed: SandboxSeed, store: Store, stripe_key: str, konnect: httpx.Client) -> None:
    """Create what the seed names and the world lacks; `konnect` calls the sandbox's v3 API."""
    account = world.account_for_key(store, stripe_key)
    if account is None:
        raise SeedError("the sandbox refuses the Stripe key the seed is planted with")
    for customer in seed.stripe.customers:
        _plant_stripe_customer(store, account["id"], customer)
    for declared in seed.konnect.customers:
        found = konnect.get("/openmeter/customers", params={"filter[key]": declared.key})
        if not found.json().get("data"):
            body = declared.model_dump(exclude_none=True)
            konnect.post("/openmeter/customers", json=body).raise_for_status()


def _plant_stripe_customer(store: Store, account_id: str, seed: StripeCustomer) -> None:
    if world.get_customer(store, account_id, seed.id) is not None:
        return
    fields: dict[str, Any] = {"address": _address(seed.address)} if seed.address else {}
    world.create_customer(
        store, account_id, name=seed.name, email=seed.email, fields=fields, customer_id=seed.id
    )
    for method in seed.payment_methods:
        card = card_for_token("pm_card_" + method.card)
        if card is None:
            raise SeedError(f"{method.id}: no test card {method.card!r}")
        details = {"address": _address(method.billing_address)} if method.billing_address else {}
        world.create_card_payment_method(
            store, account_id, card=card, billing_details=details, method_id=method.id
        )
        world.attach_payment_method(store, account_id, method.id, seed.id)
        if method.invoice_default:
            world.set_default_payment_method(store, account_id, seed.id, method.id)


def _address(address: Address | None) -> dict[str, Any]:
    fields = ("city", "country", "line1", "line2", "postal_code", "state")
    given = address.model_dump() if address else {}
    return {field: given.get(field) for field in fields}
