"""A seed file: the Stripe and Konnect objects a new sandbox world starts with.

Manifests name Stripe customers and payment methods by id, and link customers that other
systems created in Konnect. A sandbox starts empty, so a project can say what it should hold
first (`seed:` on a sandbox target). The seed is planted whole or not at all, in one
transaction that ends by marking the world planted: a seed the sandbox refuses leaves the
world as it was, and the next run plants it again once it is fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.konnect_api import customers as konnect_customers
from reconciler.sandbox.konnect_api.errors import KonnectError
from reconciler.sandbox.store import Store
from reconciler.sandbox.stripe_api import customer_tax, world
from reconciler.sandbox.stripe_api.cards import card_for_token
from reconciler.sandbox.stripe_api.errors import StripeError

# The mark a planted world carries; `/_sandbox/reset` forgets it with everything else.
MARKS = "sandbox.marks"
SEED_MARK = "seed"

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


class TaxId(SeedModel):
    type: str = Field(description="Stripe's tax id type: eu_vat, gb_vat, us_ein, ...")
    value: str


class StripeCustomer(SeedModel):
    id: CustomerId
    name: str | None = None
    email: str | None = None
    address: Address | None = None
    tax_ids: list[TaxId] = []
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


class SeedKeyRefused(SeedError):
    """The Stripe key the seed is planted with opens no account; the caller knows its source."""


def load_seed(path: Path) -> SandboxSeed:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SandboxSeed.model_validate(document)
    except OSError as error:
        raise SeedError(f"{path}: cannot read the sandbox seed: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SeedError(f"{path}: not YAML: {error}") from None
    except ValidationError as error:
        raise SeedError(f"{path}: not a sandbox seed: {_problems(error)}") from None


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
    )


def is_planted(store: Store) -> bool:
    return store.get(MARKS, SEED_MARK) is not None


def plant(seed: SandboxSeed, store: Store, stripe_key: str) -> bool:
    """Create what the seed names and the world lacks, unless a seed was planted already.

    The Stripe customers go to the account of `stripe_key`, which the seed registers to its
    mode's default account when the world does not know it. Returns whether it planted.
    """
    try:
        with store.transaction():
            if is_planted(store):
                return False
            account_id = _seed_account(store, stripe_key)
            for customer in seed.stripe.customers:
                _plant_stripe_customer(store, account_id, customer)
            for declared in seed.konnect.customers:
                _plant_konnect_customer(store, declared)
            store.put(MARKS, SEED_MARK, {"id": SEED_MARK, "planted_at": rfc3339_now()})
    except StripeError as error:
        raise SeedError(f"the sandbox refuses the seed: {error.message}") from None
    except KonnectError as error:
        raise SeedError(f"the sandbox refuses the seed: {error}") from None
    return True


def _seed_account(store: Store, stripe_key: str) -> str:
    """The account of the seed's key: the key the project's first Stripe app uses, which this
    world then knows too (a revoked or malformed key is refused, with the reason)."""
    if world.is_well_formed_key(stripe_key) and world.key_record(store, stripe_key) is None:
        world.register_key(
            store, stripe_key, world.default_account_id(world.key_livemode(stripe_key))
        )
    account = world.account_for_key(store, stripe_key)
    if account is None:
        why = world.refusal(store, stripe_key)
        raise SeedKeyRefused(f"the sandbox refuses the Stripe key the seed is planted with: {why}")
    return str(account["id"])


def _plant_konnect_customer(store: Store, declared: KonnectCustomer) -> None:
    if konnect_customers.live_customer_with_key(store, declared.key) is not None:
        return
    try:
        body = konnect_customers.CreateCustomer.model_validate(
            declared.model_dump(exclude_none=True)
        )
    except ValidationError as error:
        raise SeedError(f"konnect customer {declared.key!r}: {_problems(error)}") from None
    konnect_customers.create_customer(store, body)


def _plant_stripe_customer(store: Store, account_id: str, seed: StripeCustomer) -> None:
    if world.get_customer(store, account_id, seed.id) is not None:
        return
    fields: dict[str, Any] = {"address": _address(seed.address)} if seed.address else {}
    world.create_customer(
        store, account_id, name=seed.name, email=seed.email, fields=fields, customer_id=seed.id
    )
    for tax_id in seed.tax_ids:
        stored = world.live_customer(store, account_id, seed.id)
        customer_tax.add_tax_id(store, stored, tax_id.type, tax_id.value)
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
