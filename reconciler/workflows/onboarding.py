"""`checkout-url` and `portal-url`: a link that onboards one declared customer through Stripe.

Konnect makes the session (and, for a checkout, the Stripe customer when none is linked), so
these are writes of a kind: the target is told through `Events.connected` before the request,
and a failed request is never retried (each call makes a new session).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from reconciler.clients.errors import ClientError
from reconciler.errors import ReconcileError
from reconciler.kinds.customer_billing.checkout import (
    CheckoutRequest,
    CheckoutSession,
    PortalSession,
    create_checkout,
    create_portal,
    find_link,
    prepare_checkout,
    prepare_portal,
    profile_name,
)
from reconciler.manifests import ManifestSet, load_manifests
from reconciler.targets import SANDBOX_DB, Connection, manifest_root
from reconciler.workflows.connecting import connected
from reconciler.workflows.events import Events
from reconciler.workflows.options import DEFAULT_OPTIONS, Options

SessionT = TypeVar("SessionT", CheckoutSession, PortalSession)


class KonnectRefused(ReconcileError):
    """Konnect (or Stripe behind it) refused to make the session; nothing was made."""


@dataclass(frozen=True)
class Onboarding(Generic[SessionT]):
    """The session made for the customer, and the target it was made in."""

    target: str
    session: SessionT
    # What the user must know to open the link, told after it.
    notes: tuple[str, ...] = ()


def checkout_url(
    directory: Path,
    customer: str,
    request: CheckoutRequest,
    options: Options = DEFAULT_OPTIONS,
    *,
    events: Events | None = None,
) -> Onboarding[CheckoutSession]:
    """A Stripe Checkout session that collects a card for `customer` (a CustomerBilling
    manifest's name); once completed, Konnect links the Stripe customer and its default card.
    A ValueError names a redirect option `request` lacks or should not have."""
    manifests = load_manifests(directory)
    link = find_link(manifests, customer)
    with _connected(manifests, options, events or Events()) as connection:
        konnect = connection.sources.konnect
        prepared = prepare_checkout(konnect, link, request, profile=profile_name(manifests, link))
        session = create_checkout(konnect, prepared)
        notes = _page_notes(manifests, connection) if session.result.get("url") else ()
        return Onboarding(connection.target, session, notes)


def portal_url(
    directory: Path,
    customer: str,
    return_url: str,
    options: Options = DEFAULT_OPTIONS,
    *,
    events: Events | None = None,
) -> Onboarding[PortalSession]:
    """A single-use Stripe Billing Portal session for `customer`, who must have a linked
    Stripe customer."""
    manifests = load_manifests(directory)
    link = find_link(manifests, customer)
    with _connected(manifests, options, events or Events()) as connection:
        konnect = connection.sources.konnect
        session = create_portal(konnect, link, prepare_portal(konnect, link), return_url)
        return Onboarding(connection.target, session, _page_notes(manifests, connection))


def _page_notes(manifests: ManifestSet, connection: Connection) -> tuple[str, ...]:
    """An embedded sandbox serves the link's page only while the command runs."""
    if not connection.embedded:
        return ()
    database = manifest_root(manifests) / SANDBOX_DB
    return (
        "the embedded sandbox stopped with this command, and this link's page with it; to "
        f"click through, serve the world (reconcile sandbox serve --db {database}) and make "
        "the link against a sandbox target with its url",
    )


@contextmanager
def _connected(manifests: ManifestSet, options: Options, events: Events) -> Iterator[Connection]:
    """The target's clients, told before any request; an API's refusal is told as Konnect's."""
    try:
        with connected(manifests, options.target, events, writes=True) as connection:
            yield connection
    except ClientError as error:
        raise KonnectRefused(f"Konnect: {error}") from None
