"""Which account a request speaks for: its key, sent as Bearer or as HTTP Basic user name."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import StripeError, invalid_key

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
)


def api_key_of(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            user = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise invalid_key() from None
        if user:
            return user
    raise StripeError(401, _NO_KEY)


def authenticate(request: Request, store: Store) -> Document:
    account = world.account_for_key(store, api_key_of(request))
    if account is None:
        raise invalid_key()
    return account
