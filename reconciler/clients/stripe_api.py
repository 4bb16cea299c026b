"""Stripe access through the official SDK, with the behaviour reconcile needs on top.

The SDK retries connection errors, 409 and 5xx itself (reusing its idempotency key), but
not 429; the HTTP client below adds rate limiting, 429 retries that honour Retry-After, and
per-route counts of requests and of retries (the SDK's own included). Reads return plain dicts
so the engine never sees SDK objects.

Answers are vetted before the SDK reads them, as the Konnect client vets its own: a redirect
(never followed) or a success whose body is no JSON object is an UnexpectedAnswer naming the
request; an error page that is no Stripe error becomes one line rather than the page itself.
The reads then check the shape of what they asked for (an object with an `id`, a list page).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import stripe

from reconciler.clients.answers import (
    OBJECT,
    OBJECT_WITH_ID,
    Expected,
    body_kind,
    checked_body,
    checked_shape,
    has_id,
    is_json,
    media_type,
    redirect_error,
    status_phrase,
)
from reconciler.clients.counters import RequestCounter
from reconciler.clients.errors import (
    DNS,
    REFUSED,
    TLS,
    UNTRUSTED,
    ApiError,
    BadRequest,
    ClientError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportFailure,
    Unauthorized,
    Unreachable,
    certificate_problem,
    connection_cause,
)
from reconciler.clients.ratelimit import RateLimiter, Unlimited
from reconciler.clients.responses import read_and_let_go
from reconciler.clients.retry import RetryPolicy, parse_retry_after
from reconciler.stripe_keys import ANY_KEY_PREFIX

STRIPE_API_BASE = "https://api.stripe.com"
PAGE_LIMIT = 100
_KEY_PATTERN = re.compile(r"\b(?:" + ANY_KEY_PREFIX + r")[0-9A-Za-z*]+")
Params = dict[str, Any]
Answer = tuple[bytes, int, Mapping[str, str]]
CHECK_THE_NETWORK = "check the network and any proxy"
# Causes that prove no connection was made, so no request reached Stripe.
_NOT_CONNECTED = frozenset({DNS, REFUSED, TLS, UNTRUSTED})

log = logging.getLogger("reconcile.http")


def _is_list_page(body: Any) -> bool:
    data = body.get("data") if isinstance(body, dict) else None
    return (
        isinstance(data, list)
        and all(has_id(item) for item in data)
        and isinstance(body.get("has_more"), bool)
    )


LIST_PAGE = Expected(
    "a list object with `data` (objects with an `id`) and `has_more`", _is_list_page
)


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
        # Each response is read whole (nothing is streamed): its stream is let go of once read,
        # so that the response and its body are freed at once (see `responses`).
        if self._client is not None:
            self._client.event_hooks["response"].append(read_and_let_go)
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
        if again:
            reason = str(response[1]) if response is not None else "a connection failure"
            route = getattr(self._resending, "route", "/v1")
            attempts = (max_network_retries or 0) + 1
            log.info(
                "retrying %s after %s, attempt %d of %d", route, reason, num_retries + 2, attempts
            )
        return again

    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        route = stripe_route(url)
        resent = getattr(self._resending, "active", False)
        self._resending.active = False
        self._resending.route = f"{method.upper()} {route}"
        attempt = 1
        while True:
            self._limiter.acquire()
            self._counter.record(method.upper(), route, retry=resent or attempt > 1)
            content, status, response_headers = self._logged(method, route, url, headers, post_data)
            if status == 429 and self.on_rate_limited is not None:
                self.on_rate_limited()
            if status != 429 or not self._retry.may_try_again(attempt):
                return _vetted(method.upper(), url, (content, status, response_headers))
            log.info(
                "retrying %s %s after 429, attempt %d of %d",
                method.upper(),
                route,
                attempt + 1,
                self._retry.max_attempts,
            )
            retry_after = parse_retry_after(response_headers.get("Retry-After"))
            self._pause(self._retry.delay(attempt, retry_after))
            attempt += 1

    def _logged(
        self, method: str, route: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> Answer:
        """One HTTP exchange, logged at debug level by its route template, with Stripe's
        request id; never the URL's ids or query, never a header but the request id."""
        started = time.monotonic()
        try:
            content, status, answer_headers = super().request(method, url, headers, post_data)
        except stripe.APIConnectionError:
            elapsed = (time.monotonic() - started) * 1000
            log.debug("%s %s failed after %.0f ms", method.upper(), route, elapsed)
            raise
        elapsed = (time.monotonic() - started) * 1000
        request_id = answer_headers.get("Request-Id", "-")
        log.debug(
            "%s %s %d %.0f ms request-id=%s", method.upper(), route, status, elapsed, request_id
        )
        return content, status, answer_headers


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
        self._host = urlsplit(base_url or STRIPE_API_BASE).hostname or "api.stripe.com"
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
        return self._get("/v1/account", OBJECT_WITH_ID)

    def customers(self, *, expand: list[str] | None = None) -> list[Params]:
        """Every customer of the account (newest first), read in pages of 100."""
        return list(self.iter_customers(expand=expand))

    def iter_customers(self, *, expand: list[str] | None = None) -> Iterator[Params]:
        """Customers page by page, as plain JSON: SDK objects for thousands of customers (and
        their expanded payment methods) cost more CPU than the requests themselves."""
        return self._iter_json("/v1/customers", {"limit": PAGE_LIMIT, "expand": expand or []})

    def customer(self, customer_id: str, *, expand: list[str] | None = None) -> Params:
        path = f"/v1/customers/{_segment(customer_id)}"
        return self._get(path, OBJECT_WITH_ID, expand=expand or [])

    def payment_methods(self, customer_id: str) -> list[Params]:
        path = f"/v1/customers/{_segment(customer_id)}/payment_methods"
        return list(self._iter_json(path, {"limit": PAGE_LIMIT}))

    def customer_payment_method(self, customer_id: str, payment_method_id: str) -> Params:
        """One payment method, only if attached to this customer (404 otherwise)."""
        path = (
            f"/v1/customers/{_segment(customer_id)}/payment_methods/{_segment(payment_method_id)}"
        )
        return self._get(path, OBJECT_WITH_ID)

    def tax_codes(self) -> list[Params]:
        return list(self._iter_json("/v1/tax_codes", {"limit": PAGE_LIMIT}))

    def tax_settings(self) -> Params:
        return self._get("/v1/tax/settings", OBJECT)

    def webhook_endpoints(self) -> list[Params]:
        return list(self._iter_json("/v1/webhook_endpoints", {"limit": PAGE_LIMIT}))

    def _get(self, path: str, expected: Expected, **params: Any) -> Params:
        """The JSON the SDK read for one GET, checked against the shape the path returns:
        plain JSON, since SDK objects for thousands of customers cost more CPU than the
        requests themselves."""
        try:
            answer = self._client.raw_request("get", path, **params)
        except stripe.StripeError as error:
            raise stripe_error(error, self._host) from None
        route = stripe_route(path)
        checked: Params = checked_shape("GET", route, answer.code, answer.data, expected)
        return checked

    def _iter_json(self, path: str, params: Params) -> Iterator[Params]:
        cursor: Params = {}
        while True:
            page = self._get(path, LIST_PAGE, **params, **cursor)
            items: list[Params] = page["data"]
            yield from items
            if not page["has_more"] or not items:
                return
            cursor = {"starting_after": items[-1]["id"]}


def _segment(object_id: str) -> str:
    return quote(object_id, safe="")


def _vetted(method: str, url: str, answer: Answer) -> Answer:
    """The answer if the SDK may read it; else the error it is (see the module docstring)."""
    content, status, headers = answer
    route = stripe_route(url)
    if 300 <= status < 400:
        own_host = urlsplit(url).hostname or "the API host"
        raise redirect_error(method, route, status, headers.get("Location"), own_host)
    if status < 300:
        checked_body(method, route, status, headers, content, OBJECT)
        return answer
    if _is_stripe_error(headers, content):
        return answer
    what = body_kind(media_type(headers.get("content-type")), content)
    if status >= 500:
        # Handed on as a Stripe error, so that the SDK still retries it as any 5xx.
        message = f"{method} {route} answered with {what}, not a Stripe error"
        stand_in = {"error": {"type": "api_error", "message": message}}
        return json.dumps(stand_in).encode(), status, headers
    # Not handed on: an error page's 404 is not Stripe saying that an object is missing.
    error_type = RateLimited if status == 429 else ApiError
    detail = f"answered with {what}, not a Stripe error"
    raise error_type(status, method, route, status_phrase(status), detail)


def _is_stripe_error(headers: Mapping[str, str], content: bytes) -> bool:
    if not is_json(media_type(headers.get("content-type"))):
        return False
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


def stripe_error(error: stripe.StripeError, host: str = "api.stripe.com") -> ClientError:
    """Our error for an SDK error; Stripe's own text is kept but any key in it is masked."""
    if isinstance(error, stripe.APIConnectionError):
        cause = connection_cause(error)
        if cause in _NOT_CONNECTED:
            detail = certificate_problem(error)
            return Unreachable("Stripe", "API", host, str(cause), CHECK_THE_NETWORK, detail)
        said = f"connection failed: {cause}" if cause else "connection failed"
        return TransportFailure("Stripe", "API", said, request_sent=True)
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
