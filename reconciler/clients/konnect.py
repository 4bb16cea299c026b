"""The Konnect Metering & Billing v3 client: httpx, Bearer auth, retries, rate limit, paging."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from reconciler.clients.answers import (
    NOTHING_OR_OBJECT,
    OBJECT,
    OBJECT_WITH_ID,
    Expected,
    body_kind,
    checked_body,
    has_id,
    is_json,
    media_type,
    redirect_error,
    status_phrase,
)
from reconciler.clients.counters import RequestCounter
from reconciler.clients.errors import (
    PERMANENT_CAUSES,
    TLS,
    UNTRUSTED,
    AmbiguousWrite,
    ApiError,
    RateLimited,
    ServerError,
    TransportFailure,
    Unreachable,
    certificate_problem,
    connection_cause,
    konnect_error,
)
from reconciler.clients.ratelimit import RateLimiter, Unlimited
from reconciler.clients.responses import let_go_of_stream
from reconciler.clients.retry import RetryPolicy, parse_retry_after

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
# Failures that prove the request never left this machine, so any method may be resent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
JSON = Any
# Starts a page's read in the caller's pool (`ReadPool.submit`, an executor's `submit`).
SubmitPage = Callable[[Callable[[], Any]], Future[Any]]
# What a connection failure tells the user to check, unless the target knows better.
CHECK_THE_URL = "check the URL, the network and any proxy"
REQUEST_ID_HEADERS = ("X-Kong-Request-Id", "X-Request-Id")
# What else to check when TLS is the cause. httpx trusts the CA certificates of SSL_CERT_FILE
# (trust_env), which is how a company's TLS-intercepting proxy is trusted.
TLS_ADVICE = {
    UNTRUSTED: "if a proxy intercepts TLS, give its CA certificate in SSL_CERT_FILE",
    TLS: "does the server speak TLS (https://) at that address?",
}

log = logging.getLogger("reconcile.http")


def _is_page(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    data, meta = body.get("data"), body.get("meta")
    page = meta.get("page") if isinstance(meta, dict) else None
    return (
        isinstance(data, list)
        and all(has_id(item) for item in data)
        and isinstance(page, dict)
        and _is_count(page.get("total"))
        and (page.get("size") is None or _is_count(page.get("size")))
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


PAGE = Expected("a page object with `data` (objects with an `id`) and `meta.page.total`", _is_page)
# What a success of each method carries unless the call says otherwise: creates answer the
# object they made, updates the object as it now is, deletes nothing.
_EXPECTED_BY_METHOD = {
    "GET": OBJECT,
    "POST": OBJECT_WITH_ID,
    "PUT": OBJECT,
    "DELETE": NOTHING_OR_OBJECT,
}


class KonnectClient:
    """Calls `/openmeter/...` routes under a v3 base URL.

    Routes are given as templates (`/openmeter/customers/{customerId}`) so that requests are
    counted per route and errors name the route, never a full URL with ids or a header.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | Unlimited | None = None,
        counter: RequestCounter | None = None,
        timeout: float = 30.0,
        page_size: int = 100,
        page_concurrency: int = 8,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_rate_limited: Callable[[], None] | None = None,
        unreachable_hint: str = CHECK_THE_URL,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json, application/problem+json",
                "User-Agent": "reconcile",
            },
            timeout=timeout,
            transport=transport,
            # Never followed: the bearer token would go along to wherever a redirect points.
            follow_redirects=False,
        )
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or Unlimited()
        self.counter = counter or RequestCounter()
        self.page_size = page_size
        # How many pages of one list are fetched at a time, after the first.
        self.page_concurrency = page_concurrency
        self._sleep = sleep
        # Told of every 429, also retried ones, so that apply can lower its concurrency.
        self.on_rate_limited = on_rate_limited
        self.unreachable_hint = unreachable_hint

    def __repr__(self) -> str:
        return f"KonnectClient(base_url={str(self._http.base_url)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KonnectClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(
        self,
        route: str,
        *,
        path: Mapping[str, str] | None = None,
        expect: Expected | None = None,
        **query: Any,
    ) -> JSON:
        return self.request("GET", route, path=path, params=query or None, expect=expect)

    def post(
        self,
        route: str,
        body: JSON,
        *,
        path: Mapping[str, str] | None = None,
        expect: Expected | None = None,
    ) -> JSON:
        return self.request("POST", route, path=path, json=body, expect=expect)

    def put(self, route: str, body: JSON, *, path: Mapping[str, str] | None = None) -> JSON:
        return self.request("PUT", route, path=path, json=body)

    def delete(self, route: str, *, path: Mapping[str, str] | None = None) -> JSON:
        return self.request("DELETE", route, path=path)

    def list_all(
        self,
        route: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a page-paginated list, at the largest page size, in page order
        (`pages`, read to the end)."""
        return [item for page in self.pages(route, path=path, params=params) for item in page]

    def pages(
        self,
        route: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        submit: SubmitPage | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """A page-paginated list's items, page by page in page order, each page given as soon
        as it and those before it arrived, so that the caller can act on it meanwhile.

        The first page tells how many there are; the others are fetched side by side, each
        through `request` (so the rate limit and retries hold per page): in `submit`'s pool
        when given (the caller's reads share one bound), else at most `page_concurrency` at a
        time. Items are kept once by id: one that moves to a later page while the list is read
        (an item created before it) is not listed twice. If the total grew while reading, the
        pages it now needs are fetched too. A failed page fails with the error of the first
        failing page in page order; the pages not yet started then never start.
        """
        seen: set[str] = set()
        first = self._page(route, path, params, 1)
        yield _unseen(first.data, seen)
        if not first.data:
            return
        # A server that grants a smaller page than asked for may not say so: a first page
        # shorter than the total is then the size granted.
        size = first.size or len(first.data)
        fetched, total, last_full = 1, first.total, True
        while last_full and fetched * size < total:
            wanted = range(fetched + 1, -(-total // size) + 1)
            for page in self._later_pages(route, path, params, wanted, submit):
                yield _unseen(page.data, seen)
                total, last_full = max(total, page.total), len(page.data) >= size
            fetched = wanted[-1]

    def _later_pages(
        self,
        route: str,
        path: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        numbers: range,
        submit: SubmitPage | None,
    ) -> Iterator[_Page]:
        """The pages `numbers`, fetched side by side, given in order. Pages not yet started
        when the caller stops (or one fails) never start; those in flight are waited for, so
        nothing is left running."""
        if submit is None and (len(numbers) == 1 or self.page_concurrency <= 1):
            yield from (self._page(route, path, params, number) for number in numbers)
            return
        pool = None
        if submit is None:
            workers = min(self.page_concurrency, len(numbers))
            pool = ThreadPoolExecutor(workers, thread_name_prefix="konnect-pages")
            submit = functools.partial(_submit_in_context, pool)
        futures = [
            submit(functools.partial(self._page, route, path, params, number)) for number in numbers
        ]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _page(
        self,
        route: str,
        path: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        number: int,
    ) -> _Page:
        query = {**(params or {}), "page[size]": self.page_size, "page[number]": number}
        answer = self.request("GET", route, path=path, params=query, expect=PAGE)
        meta = answer["meta"]["page"]
        return _Page(data=answer["data"], total=meta["total"], size=meta.get("size"))

    def request(
        self,
        method: str,
        route: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: JSON = None,
        expect: Expected | None = None,
    ) -> JSON:
        """One logical call: retried on 429/5xx and broken connections where that is safe.

        Its answer is the parsed body of a documented success of the `expect`ed shape (by
        default the method's); anything else below 400 raises UnexpectedAnswer.
        """
        url = _expand(route, path)
        attempt = 1
        while True:
            self.limiter.acquire()
            self.counter.record(method, route, retry=attempt > 1)
            try:
                response = self._send(method, route, url, params, json)
            except httpx.TransportError as failure:
                sent = not isinstance(failure, _NOT_SENT)
                cause = connection_cause(failure)
                if self._may_resend(method, sent, cause, attempt):
                    self._announce_retry(method, route, cause or type(failure).__name__, attempt)
                    self._sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise self._failure(method, route, failure, sent, cause) from None
            if response.status_code < 400:
                return self._success(method, route, response, expect)
            error = _api_error(method, route, response)
            if error.status == 429 and self.on_rate_limited is not None:
                self.on_rate_limited()
            if self._may_retry(method, error, attempt):
                self._announce_retry(method, route, str(error.status), attempt)
                self._sleep(self.retry.delay(attempt, error.retry_after))
                attempt += 1
                continue
            raise error

    def _send(
        self, method: str, route: str, url: str, params: Mapping[str, Any] | None, json: JSON
    ) -> httpx.Response:
        """One HTTP exchange, logged at debug level by its route template: never a full URL
        (ids, query) and never a header but the request id."""
        started = time.monotonic()
        try:
            response = self._http.request(method, url, params=params, json=json)
        except httpx.TransportError as failure:
            elapsed = (time.monotonic() - started) * 1000
            log.debug(
                "%s %s failed after %.0f ms: %s", method, route, elapsed, type(failure).__name__
            )
            raise
        let_go_of_stream(response)  # read whole by the client: see `responses`
        if log.isEnabledFor(logging.DEBUG):  # the request id is looked up for the log alone
            elapsed = (time.monotonic() - started) * 1000
            request_id = next(
                (response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), "-"
            )
            log.debug(
                "%s %s %d %.0f ms request-id=%s",
                method,
                route,
                response.status_code,
                elapsed,
                request_id,
            )
        return response

    def _may_resend(self, method: str, sent: bool, cause: str | None, attempt: int) -> bool:
        # A name that does not resolve or a certificate not trusted stays so: fail at once.
        if cause in PERMANENT_CAUSES:
            return False
        return (not sent or method in IDEMPOTENT_METHODS) and self.retry.may_try_again(attempt)

    def _announce_retry(self, method: str, route: str, reason: str, attempt: int) -> None:
        log.info(
            "retrying %s %s after %s, attempt %d of %d",
            method,
            route,
            reason,
            attempt + 1,
            self.retry.max_attempts,
        )

    def _failure(
        self, method: str, route: str, failure: httpx.TransportError, sent: bool, cause: str | None
    ) -> TransportFailure:
        """A connection never made says where to and why; any other broken exchange names
        the request and whether it may have been carried out."""
        if not sent and cause is not None:
            host = self._http.base_url.host
            hint = " ".join([self.unreachable_hint, *filter(None, [TLS_ADVICE.get(cause)])])
            detail = certificate_problem(failure)
            return Unreachable(method, route, host, cause, hint, detail)
        return _transport_failure(method, route, failure, sent)

    def _success(
        self, method: str, route: str, response: httpx.Response, expect: Expected | None
    ) -> JSON:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location")
            raise redirect_error(method, route, status, location, self._http.base_url.host)
        expected = expect or _EXPECTED_BY_METHOD.get(method, OBJECT)
        return checked_body(method, route, status, response.headers, response.content, expected)

    def _may_retry(self, method: str, error: ApiError, attempt: int) -> bool:
        # A 429 means the request was turned away before it ran; a 5xx after a POST may
        # hide a write that happened, so only idempotent methods are resent blindly.
        if error.status != 429 and method not in IDEMPOTENT_METHODS:
            return False
        return self.retry.should_retry_status(error.status, attempt)


@dataclass(frozen=True)
class _Page:
    data: list[dict[str, Any]]
    total: int
    # The size the server granted, when it says.
    size: int | None


def _submit_in_context(pool: ThreadPoolExecutor, read: Callable[[], Any]) -> Future[Any]:
    # The caller's context goes along: what a read logs or counts is the caller's.
    return pool.submit(copy_context().run, read)


def _unseen(items: list[dict[str, Any]], seen: set[str]) -> list[dict[str, Any]]:
    """The items whose id is not in `seen`, now added to it."""
    kept = []
    for item in items:
        if item["id"] not in seen:
            seen.add(item["id"])
            kept.append(item)
    return kept


def _expand(route: str, path: Mapping[str, str] | None) -> str:
    if not path:
        return route
    return route.format_map({name: quote(value, safe="") for name, value in path.items()})


def _api_error(method: str, route: str, response: httpx.Response) -> ApiError:
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    media = media_type(response.headers.get("content-type"))
    try:
        body = response.json() if is_json(media) else None
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        problem = f"answered with {body_kind(media, response.content)}, not a problem document"
        return _not_a_problem(method, route, response.status_code, problem, retry_after)
    return konnect_error(response.status_code, method, route, body, retry_after)


def _not_a_problem(
    method: str, route: str, status: int, detail: str, retry_after: float | None
) -> ApiError:
    """An error answered by something in front of the API (a gateway's HTML page): said in one
    line, and never taken for the API's own 404 or 409, which reads and creates act upon."""
    error_type = RateLimited if status == 429 else ServerError if status >= 500 else ApiError
    return error_type(status, method, route, status_phrase(status), detail, retry_after=retry_after)


def _transport_failure(
    method: str, route: str, failure: httpx.TransportError, sent: bool
) -> TransportFailure:
    cause = type(failure).__name__
    if sent and method not in IDEMPOTENT_METHODS:
        return AmbiguousWrite(method, route, cause, request_sent=True)
    return TransportFailure(method, route, cause, request_sent=sent)
