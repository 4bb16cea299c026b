"""What the Stripe accounts hold, read once each and shared by every kind's checks.

Each Stripe app is checked against its own account, read with the app's own key: a project
may bill through several accounts (an EU and a US one, test and live). Reads are memoised per
fact behind a lock, so kinds reading concurrently never repeat a request. A failed read is
remembered as well: the key check reports it once, and checks that need the fact are skipped
rather than failing the whole plan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from typing import Any, TypeVar

from reconciler.clients.counters import RequestCounter
from reconciler.clients.errors import ClientError, NotFound
from reconciler.clients.ratelimit import RateLimiter, Unlimited
from reconciler.clients.retry import RetryPolicy
from reconciler.clients.stripe_api import StripeApi
from reconciler.core.read_pool import ReadPool
from reconciler.stripe_keys import Mode, mode_of

T = TypeVar("T")
Params = dict[str, Any]
KeySource = Callable[[], str]
# The customer list carries each invoice-default payment method in full, and the tax details
# Stripe renders only when asked (where Stripe Tax places the customer, its tax ids), so
# checking them needs no request per customer; a single customer is read the same way.
CUSTOMER_EXPAND = ["data.invoice_settings.default_payment_method", "data.tax", "data.tax_ids"]
RETRIEVE_EXPAND = ["invoice_settings.default_payment_method", "tax", "tax_ids"]
# Up to this many customers are read one GET each rather than by listing the account. The
# list has no total and pages by cursor, so it costs one sequential request per 100 customers
# of the account, however few the checks need; 20 GETs, RETRIEVE_CONCURRENCY at a time, cost
# about three round trips whatever the account's size, and never more requests than listing
# an account of 2,000 customers. Beyond that, listing is kept: at scale (10,000 links) the
# list is the floor, a GET per link is not.
FEW_CUSTOMERS = 20
RETRIEVE_CONCURRENCY = 8


class StripeUnavailable(Exception):
    """A Stripe fact could not be read; the account check says why."""


class StripeFacts:
    """The facts of one Stripe account, reached with one key."""

    def __init__(self, api: StripeApi, key_mode: Mode | None = None) -> None:
        self.api = api
        # The key's mode by its prefix (`stripe_keys`), as the Target line shows it.
        self.key_mode = key_mode
        self._values: dict[str, Any] = {}
        self._errors: dict[str, ClientError] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._listed = False

    def _fact(self, name: str, read: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._values and name not in self._errors:
                try:
                    self._values[name] = read()
                except ClientError as error:
                    self._errors[name] = error
            if name in self._errors:
                raise StripeUnavailable(str(self._errors[name]))
            value: T = self._values[name]
            return value

    def account(self) -> Params:
        return self._fact("account", self.api.account)

    def readable(self) -> bool:
        """Whether the key reads its account at all."""
        try:
            self.account()
        except StripeUnavailable:
            return False
        return True

    def read_customers(self, customer_ids: Collection[str], *, expected: int = 0) -> None:
        """Read the customers the checks will ask for: `customer_ids`, and `expected` more
        whose ids are not known yet. Few are read one GET each; many, by listing the account."""
        if len(customer_ids) + expected > FEW_CUSTOMERS:
            self._listed = True
            self.customers()
        else:
            self.retrieve_customers(customer_ids)

    def retrieve_customers(self, customer_ids: Collection[str]) -> None:
        """Read these customers concurrently (those the account list holds cost nothing)."""
        with ReadPool(RETRIEVE_CONCURRENCY, "reconcile-stripe") as pool:
            for customer_id in customer_ids:
                pool.submit(self._customer_quietly, customer_id)

    def _customer_quietly(self, customer_id: str) -> None:
        with suppress(StripeUnavailable):
            self.customer(customer_id)

    def customers(self) -> dict[str, Params]:
        """Every customer of the account by id, invoice-default payment method expanded.

        Only the fields the checks read are kept: an account may hold many customers.
        """
        return self._fact(
            "customers",
            lambda: {c["id"]: _slim(c) for c in self.api.iter_customers(expand=CUSTOMER_EXPAND)},
        )

    def customer(self, customer_id: str) -> Params | None:
        """The customer (a `deleted: true` stub when deleted), or None when Stripe has none.

        Once the account is listed, only ids missing from the list (deleted ones) are fetched.
        """
        if self._listed:
            listed = self.customers().get(customer_id)
            if listed is not None:
                return listed
        return self._fact(f"customer:{customer_id}", lambda: self._retrieve(customer_id))

    def _retrieve(self, customer_id: str) -> Params | None:
        try:
            return _slim(self.api.customer(customer_id, expand=RETRIEVE_EXPAND))
        except NotFound:
            return None

    def payment_method(self, customer_id: str, payment_method_id: str) -> Params | None:
        """The payment method if it is attached to this customer, else None."""
        customer = self.customer(customer_id) or {}
        default = (customer.get("invoice_settings") or {}).get("default_payment_method")
        if isinstance(default, dict) and default.get("id") == payment_method_id:
            return default
        return self._fact(
            f"payment_method:{customer_id}:{payment_method_id}",
            lambda: self._attached(customer_id, payment_method_id),
        )

    def _attached(self, customer_id: str, payment_method_id: str) -> Params | None:
        try:
            return _slim_method(self.api.customer_payment_method(customer_id, payment_method_id))
        except NotFound:
            return None

    def tax_code_ids(self) -> frozenset[str]:
        return self._fact("tax_codes", lambda: frozenset(c["id"] for c in self.api.tax_codes()))

    def tax_settings(self) -> Params:
        return self._fact("tax_settings", self.api.tax_settings)

    def webhook_endpoints(self) -> list[Params]:
        return self._fact("webhook_endpoints", self.api.webhook_endpoints)


class StripeAccounts:
    """The facts of every Stripe app's account, by the app's manifest name.

    An account is opened on first use with its app's key, so a command that never reads
    Stripe needs no key. Apps with the same key share one account's facts, read once. Every
    account's requests are counted together, and paced by one limiter.
    """

    def __init__(
        self,
        keys: Mapping[str, KeySource],
        *,
        fallback: KeySource | None = None,
        base_url: str | None = None,
        limiter: RateLimiter | Unlimited | None = None,
        retry: RetryPolicy | None = None,
        read_key: str | None = None,
    ) -> None:
        self._keys = dict(keys)
        # The `${env:NAME}` reference of the key every account is read with instead of the
        # apps' own keys (a target's `stripe_read_key`), for messages to name; None without.
        self.read_key = read_key
        self._fallback = fallback
        self._base_url = base_url
        self._limiter = limiter or Unlimited()
        self._retry = retry
        self.counter = RequestCounter()
        # Told of every 429 of any account, so that apply can lower its concurrency.
        self.on_rate_limited: Callable[[], None] | None = None
        self._by_key: dict[str, StripeFacts] = {}
        self._set_aside: set[str] = set()
        self._lock = threading.Lock()

    def of(self, app: str | None) -> StripeFacts | None:
        """The facts of the account behind this app's key; None for an undeclared app, and for
        one set aside (see `set_aside`), so that no check reads the wrong account."""
        with self._lock:
            if app in self._set_aside:
                return None
        return self.behind_key(app)

    def behind_key(self, app: str | None) -> StripeFacts | None:
        """The facts of the account this app's key opens, even when the app is set aside."""
        key = self._keys.get(app) if app is not None else None
        return None if key is None else self._facts(key())

    def set_aside(self, app: str) -> None:
        """Check nothing of this app's account any more: its key opens another Stripe account
        than the one the app is installed with, so every customer, webhook or tax setting
        read with it would be another account's, and each finding about them misleading."""
        with self._lock:
            self._set_aside.add(app)

    def catalogue(self) -> StripeFacts | None:
        """Facts that are the same in every account (Stripe's tax code catalogue): read
        through the first app, or the fallback key when no app is declared."""
        source = next(iter(self._keys.values()), self._fallback)
        return None if source is None else self._facts(source())

    def _facts(self, key: str) -> StripeFacts:
        with self._lock:
            facts = self._by_key.get(key)
            if facts is None:
                api = StripeApi(
                    key,
                    base_url=self._base_url,
                    limiter=self._limiter,
                    retry=self._retry,
                    counter=self.counter,
                    on_rate_limited=self._rate_limited,
                )
                facts = self._by_key[key] = StripeFacts(api, key_mode=mode_of([key]))
            return facts

    def _rate_limited(self) -> None:
        if self.on_rate_limited is not None:
            self.on_rate_limited()

    def close(self) -> None:
        with self._lock:
            for facts in self._by_key.values():
                facts.api.close()
            self._by_key.clear()

    def __enter__(self) -> StripeAccounts:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StripeAccounts(apps={sorted(self._keys)})"


def _slim(customer: Params) -> Params:
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if isinstance(default, dict):
        default = _slim_method(default)
    return {
        "id": customer["id"],
        "email": customer.get("email"),
        "address": customer.get("address"),
        "deleted": customer.get("deleted", False),
        "invoice_settings": {"default_payment_method": default},
        "tax": _slim_tax(customer.get("tax")),
        "tax_ids": [
            {"type": tax_id.get("type"), "value": tax_id.get("value")}
            for tax_id in (customer.get("tax_ids") or {}).get("data") or []
        ],
    }


def _slim_tax(tax: Any) -> Params | None:
    """`automatic_tax` (supported, unrecognized_location, not_collecting, failed) and the
    location Stripe Tax places the customer in; None when Stripe did not render it."""
    if not isinstance(tax, dict):
        return None
    return {"automatic_tax": tax.get("automatic_tax"), "location": tax.get("location")}


def _slim_method(method: Params) -> Params:
    card = method.get("card") or {}
    return {
        "id": method.get("id"),
        "billing_details": {"address": (method.get("billing_details") or {}).get("address")},
        "card": {key: card.get(key) for key in ("exp_month", "exp_year")} if card else None,
    }
