"""The one checkout request: asking for a checkout session is not idempotent (Konnect creates
and links a Stripe customer when none is linked), so it is sent once, never retried, and a
failure says what it may have left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reconciler.clients.errors import AmbiguousWrite, ApiError, ClientError, UnexpectedAnswer
from reconciler.clients.konnect import KonnectClient
from reconciler.clients.retry import NO_RETRIES


@contextmanager
def retries_off(konnect: KonnectClient) -> Iterator[None]:
    saved = konnect.retry
    konnect.retry = NO_RETRIES
    try:
        yield
    finally:
        konnect.retry = saved


_MAY_EXIST = (
    "so a checkout session may exist and Konnect may have linked a new Stripe customer. Not "
    "retried: run `reconcile plan` to see the link before asking for another session"
)


@contextmanager
def explained_write_failure() -> Iterator[None]:
    """Say what a failed, unretried checkout request may have left behind."""
    try:
        yield
    except AmbiguousWrite as error:
        raise CheckoutUncertain(
            f"{error}: the request was sent but no answer came back, {_MAY_EXIST}"
        ) from None
    except UnexpectedAnswer as error:
        if not 200 <= error.status < 300:
            raise
        raise CheckoutUncertain(f"{error}: Konnect said it succeeded, {_MAY_EXIST}") from None
    except ApiError as error:
        if error.status != 429:
            raise
        wait = f" in {error.retry_after:g} s" if error.retry_after is not None else " later"
        raise CheckoutUncertain(
            f"{error}: Konnect is rate limiting; the request was not retried because checkout "
            f"sessions are not idempotent. Try again{wait}"
        ) from None


class CheckoutUncertain(ClientError):
    """The one checkout request failed in a way the user must look at before trying again."""
