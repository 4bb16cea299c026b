"""Stripe access through the official SDK, with the behaviour reconcile needs on top.

The SDK retries connection errors, 409 and 5xx itself (reusing its idempotency key), but
not 429; the HTTP client below adds rate limiting, 429 retries that honour Retry-After, and
per-route counts of requests and of retries (the SDK's own included). Reads return plain dicts
so the engine never sees SDK objects.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import stripe

from reconciler.clients.counters import RequestCounter
from reconciler.clients.errors import (
    ApiError,
    BadRequest,
    ClientError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportFailure,
    Unauthorized,
)
from reconciler.clients.ratelimit import RateLimiter, Unlimited
from reconciler.clients.retry import RetryPolicy, parse_retry_after

STRIPE_API_BASE = "https://api.stripe.com"
PAGE_LIMIT = 100
_KEY_PATTERN = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[0-9A-Za-z*]+")
Params = dict[str, Any]


def stripe_route(url: str) -> str:
    """`/v1/customers/cus_123/payment_methods` → `/v1/customers/{id}/payment_methods`."""
    segments = urlsplit(url).path.split("/")
    return "/".join("{id}" if _looks_like_object_id(s) else s for s in segments)


def _looks_like_object_id(segment: str) -> bool:
    # Object ids carry a prefix and a random tail (`cus_Q1w2`, `txcd_10103001`); route
    # words (`tax_codes`, `payment_methods`) are lower-case letters only.
    head, _, tail = segment.rpartition("_")
    return bool(head) and any(c.isdigit() or c.isupper() for c in tail)


class _MeteredHttpClient(stripe.HTTPXClient):
    """Counts and paces every HTTP request the SDK makes, and retries 429 answers."""

    def __init__(
        self,
        *,
        counter: RequestCounter,
        limiter: RateLimiter | Unlimited,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        timeout: float,
        on_rate_limited: Callable[[], None] | None,
    ) -> None:
        super().__init__(timeout=timeout, allow_sync_methods=True)
        self._counter = counter
        self._limiter = limiter
        self._retry = retry
        self._pause = sleep
        self.on_rate_limited = on_rate_limited
        # Set while the SDK resends a request by itself, per thread (requests run in parallel).
        self._resending = threading.local()

    def _should_retry(
        self,
        response: tuple[Any, int, Mapping[str, str] | None] | None,
        api_connection_error: stripe.APIConnectionError | None,
        num_retries: int,
        max_network_retries: int | None,
    ) -> bool:
        # The SDK's own resends (a broken connection, 409, 5xx) reach `request` as new calls;
        # they are retries all the same.
        again = bool(
            super()._should_retry(response, api_connection_error, num_retries, max_network_retries)
        )
        self._resending.active = again
        return again

    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        route = stripe_route(url)
        resent = getattr(self._resending, "active", False)
        self._resending.active = False
        attempt = 1
        while True:
            self._limiter.acquire()
            self._counter.record(method.upper(), route, retry=resent or attempt > 1)
            content, status, response_headers = super().request(method, url, headers, post_data)
            if status == 429 and self.on_rate_limited is not None:
                self.on_rate_limited()
            if status != 429 or not self._retry.may_try_again(attempt):
                return content, status, response_headers
            retry_after = parse_retry_after(response_headers.get("Retry-After"))
            self._pause(self._retry.delay(attempt, retry_after))
            attempt += 1


class StripeApi:
    """One Stripe account, reached with one key."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | Unlimited | None = None,
        counter: RequestCounter | None = None,
        max_network_retries: int = 2,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_rate_limited: Callable[[], None] | None = None,
    ) -> None:
        self.counter = counter or RequestCounter()
        self._http = _MeteredHttpClient(
            counter=self.counter,
            limiter=limiter or Unlimited(),
            retry=retry or RetryPolicy(),
            sleep=sleep,
            timeout=timeout,
            # Told of every 429, also retried ones, so that apply can lower its concurrency.
            on_rate_limited=on_rate_limited,
        )
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": base_url or STRIPE_API_BASE},
            max_network_retries=max_network_retries,
            http_client=self._http,
        )

    def __repr__(self) -> str:
        return "StripeApi()"

    @property
    def on_rate_limited(self) -> Callable[[], None] | None:
        return self._http.on_rate_limited

    @on_rate_limited.setter
    def on_rate_limited(self, hook: Callable[[], None] | None) -> None:
        self._http.on_rate_limited = hook

    def close(self) -> None:
        self._http.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> StripeApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def account(self) -> Params:
        return self._call(lambda c: c.v1.accounts.retrieve_current())

    def customers(self, *, expand: list[str] | None = None) -> list[Params]:
        """Every customer of the account (newest first), read in pages of 100."""
        return list(self.iter_customers(expand=expand))

    def iter_customers(self, *, expand: list[str] | None = None) -> Iterator[Params]:
        """Customers page by page, as plain JSON: SDK objects for thousands of customers (and
        their expanded payment methods) cost more CPU than the requests themselves."""
        return self._iter_json("/v1/customers", {"limit": PAGE_LIMIT, "expand": expand or []})

    def customer(self, customer_id: str, *, expand: list[str] | None = None) -> Params:
        return self._call(lambda c: c.v1.customers.retrieve(customer_id, {"expand": expand or []}))

    def payment_methods(self, customer_id: str) -> list[Params]:
        return self._list(
            lambda c: c.v1.customers.payment_methods.list(customer_id, {"limit": PAGE_LIMIT})
        )

    def customer_payment_method(self, customer_id: str, payment_method_id: str) -> Params:
        """One payment method, only if attached to this customer (404 otherwise)."""
        return self._call(
            lambda c: c.v1.customers.payment_methods.retrieve(customer_id, payment_method_id)
        )

    def tax_codes(self) -> list[Params]:
        return self._list(lambda c: c.v1.tax_codes.list({"limit": PAGE_LIMIT}))

    def tax_settings(self) -> Params:
        return self._call(lambda c: c.v1.tax.settings.retrieve())

    def webhook_endpoints(self) -> list[Params]:
        return self._list(lambda c: c.v1.webhook_endpoints.list({"limit": PAGE_LIMIT}))

    def _call(self, fetch: Callable[[stripe.StripeClient], stripe.StripeObject]) -> Params:
        try:
            result: Params = fetch(self._client).to_dict()
        except stripe.StripeError as error:
            raise stripe_error(error) from None
        return result

    def _iter_json(self, path: str, params: Params) -> Iterator[Params]:
        cursor: Params = {}
        while True:
            try:
                page: Params = self._client.raw_request("get", path, **params, **cursor).data
            except stripe.StripeError as error:
                raise stripe_error(error) from None
            items: list[Params] = page.get("data") or []
            yield from items
            if not page.get("has_more") or not items:
                return
            cursor = {"starting_after": items[-1]["id"]}

    def _list(self, fetch: Callable[[stripe.StripeClient], stripe.ListObject[Any]]) -> list[Params]:
        try:
            return [item.to_dict() for item in fetch(self._client).auto_paging_iter()]
        except stripe.StripeError as error:
            raise stripe_error(error) from None


def stripe_error(error: stripe.StripeError) -> ClientError:
    """Our error for an SDK error; Stripe's own text is kept but any key in it is masked."""
    if isinstance(error, stripe.APIConnectionError):
        return TransportFailure("Stripe", "API", "connection failed", request_sent=True)
    status = error.http_status or 0
    details = error.error
    message = _KEY_PATTERN.sub("[redacted key]", str(details.message if details else error))
    by_type: dict[type[stripe.StripeError], type[ApiError]] = {
        stripe.RateLimitError: RateLimited,
        stripe.AuthenticationError: Unauthorized,
        stripe.PermissionError: Forbidden,
    }
    kind = next((k for t, k in by_type.items() if isinstance(error, t)), None)
    if kind is None:
        kind = {400: BadRequest, 404: NotFound}.get(
            status, ServerError if status >= 500 else ApiError
        )
    return kind(
        status=status,
        method="Stripe",
        route="API",
        title=str(details.type) if details and details.type else "",
        detail=message,
        code=error.code,
    )
