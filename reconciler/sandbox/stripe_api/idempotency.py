"""`Idempotency-Key` on POST: the first outcome of a key is kept and replayed for 24 hours.

Keys are scoped per account. A key reused with other parameters (or on another path) is an
`idempotency_error`; errors from parameter checks that run before the endpoint are not kept,
errors from the endpoint itself are, as Stripe does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from reconciler.sandbox.clock import unix_now
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api.errors import IDEMPOTENCY, StripeError

IDEMPOTENCY_KEYS = "stripe.idempotency_keys"
KEY_LIFETIME_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255

Outcome = tuple[int, Document, bool]
"""(HTTP status, body, replayed)."""


class IdempotencyMismatch(StripeError):
    def __init__(self, key: str) -> None:
        super().__init__(
            400,
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            type=IDEMPOTENCY,
        )


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    canonical = json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_or_run(
    store: Store, account_id: str, key: str, request_fingerprint: str, run: Callable[[], Document]
) -> Outcome:
    """Replay the kept outcome of `key`, or run the endpoint and keep its outcome."""
    if len(key) > MAX_KEY_LENGTH:
        raise StripeError(
            400,
            f"The Idempotency-Key header must be {MAX_KEY_LENGTH} characters or fewer.",
            type=IDEMPOTENCY,
        )
    record_id = f"{account_id}:{key}"
    try:
        # One transaction: a concurrent request with the same key waits, then replays.
        with store.transaction():
            record = _live_record(store, record_id)
            if record is not None:
                if record["fingerprint"] != request_fingerprint:
                    raise IdempotencyMismatch(key)
                return record["status"], record["body"], True
            body = run()
            _keep(store, record_id, request_fingerprint, 200, body)
            return 200, body, False
    except IdempotencyMismatch:
        raise
    except StripeError as error:
        # The failed endpoint's writes were rolled back above; its error is kept on its own.
        with store.transaction():
            if _live_record(store, record_id) is None:
                _keep(store, record_id, request_fingerprint, error.status, error.body())
        return error.status, error.body(), False


def _live_record(store: Store, record_id: str) -> Document | None:
    record = store.get(IDEMPOTENCY_KEYS, record_id)
    if record is None or record["created"] < unix_now() - KEY_LIFETIME_SECONDS:
        return None
    return record


def _keep(
    store: Store, record_id: str, request_fingerprint: str, status: int, body: Document
) -> None:
    store.put(
        IDEMPOTENCY_KEYS,
        record_id,
        {
            "id": record_id,
            "fingerprint": request_fingerprint,
            "status": status,
            "body": body,
            "created": unix_now(),
        },
    )
