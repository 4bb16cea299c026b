"""What the Stripe account holds, read once each and shared by every kind's checks.

Reads are memoised per fact behind a lock, so kinds reading concurrently never repeat a
request. A failed read is remembered as well: the key check reports it once, and checks
that need the fact are skipped rather than failing the whole plan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from reconciler.clients.errors import ClientError, NotFound
from reconciler.clients.stripe_api import StripeApi

T = TypeVar("T")
Params = dict[str, Any]
# The customer list carries each invoice-default payment method in full, so checking it
# needs no request per customer.
CUSTOMER_EXPAND = ["data.invoice_settings.default_payment_method"]


class StripeUnavailable(Exception):
    """A Stripe fact could not be read; the account check says why."""


class StripeFacts:
    def __init__(self, api: StripeApi) -> None:
        self.api = api
        self._values: dict[str, Any] = {}
        self._errors: dict[str, ClientError] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

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

        The list leaves deleted customers out, so only ids missing from it are fetched.
        """
        listed = self.customers().get(customer_id)
        if listed is not None:
            return listed
        return self._fact(f"customer:{customer_id}", lambda: self._retrieve(customer_id))

    def _retrieve(self, customer_id: str) -> Params | None:
        try:
            return self.api.customer(customer_id)
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
            return self.api.customer_payment_method(customer_id, payment_method_id)
        except NotFound:
            return None

    def tax_code_ids(self) -> frozenset[str]:
        return self._fact("tax_codes", lambda: frozenset(c["id"] for c in self.api.tax_codes()))

    def tax_settings(self) -> Params:
        return self._fact("tax_settings", self.api.tax_settings)

    def webhook_endpoints(self) -> list[Params]:
        return self._fact("webhook_endpoints", self.api.webhook_endpoints)


def _slim(customer: Params) -> Params:
    default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if isinstance(default, dict):
        default = {
            "id": default.get("id"),
            "billing_details": {"address": (default.get("billing_details") or {}).get("address")},
        }
    return {
        "id": customer["id"],
        "email": customer.get("email"),
        "address": customer.get("address"),
        "deleted": customer.get("deleted", False),
        "invoice_settings": {"default_payment_method": default},
    }
