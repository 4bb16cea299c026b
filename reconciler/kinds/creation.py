"""Creating Konnect objects exactly once, although Konnect takes no idempotency key.

A POST whose answer is lost (connection cut after the write, a 5xx from a proxy after the
server committed) may or may not have created the object. Resending it blindly could make a
second one; so before every resend the object is looked up by the key the manifests give it,
and its id is taken when it is there. A first attempt refused because the key is taken (409)
made nothing: the lookup then tells whether someone else created the object since the plan.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.clients.errors import AmbiguousWrite, ClientError, Conflict, ServerError
from reconciler.core.live import Live
from reconciler.core.observation import CreatedSincePlan

ATTEMPTS = 3


def create_once(post: Callable[[], str], find: Callable[[], Live | None]) -> str:
    """The id of the object `post` creates, posting again only when `find` sees none."""
    uncertain: ClientError | None = None
    for _ in range(ATTEMPTS):
        if uncertain is not None:
            found = find()
            if found is not None:
                return found.id
        try:
            return post()
        except (AmbiguousWrite, ServerError) as error:
            uncertain = error
        except Conflict as error:
            # After a lost answer, "already exists" is most likely our own first attempt.
            if uncertain is None:
                if find() is not None:
                    raise CreatedSincePlan from error
                raise  # another conflict than the key: a subject key taken, say
            uncertain = error
    assert uncertain is not None
    raise uncertain
