"""Konnect's bearer-token check: exactly one configured token opens the API."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from reconciler.sandbox.context import Sandbox
from reconciler.sandbox.konnect_api.errors import problem


def require_token(request: Request, sandbox: Sandbox) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = sandbox.config.konnect_token
    # Constant-time comparison, and the offered token never reaches the error text.
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise problem(401, "missing or invalid bearer token")
