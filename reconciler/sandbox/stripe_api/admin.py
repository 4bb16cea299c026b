"""Out-of-band actions on the Stripe world (mounted at /_sandbox/stripe, no auth).

What a person would do in the Stripe Dashboard, for drift and edge-case tests: create accounts,
bind, revoke keys, switch Stripe Tax off, disable or delete webhook endpoints, delete customers,
detach payment methods, forget the default portal configuration. Bodies are JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.context import sandbox_of
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import world
from reconciler.sandbox.stripe_api.errors import (
    StripeError,
    invalid_param,
    missing_param,
    resource_missing,
)

AdminAction = Callable[[Store, dict[str, Any], dict[str, str]], Document]


def routes() -> list[BaseRoute]:
    return [
        _route("/accounts", "POST", create_account),
        _route("/accounts", "GET", list_accounts),
        _route("/accounts/for-key", "POST", account_of_key),
        _route("/accounts/{account}/tax/deactivate", "POST", deactivate_tax),
        _route("/accounts/{account}/tax/activate", "POST", activate_tax),
        _route(
            "/accounts/{account}/portal-configurations/default",
            "DELETE",
            remove_default_portal_configuration,
        ),
        _route("/keys", "POST", register_key),
        _route("/keys/revoke", "POST", revoke_key),
        _route("/customers/{customer}", "DELETE", delete_customer),
        _route("/payment-methods/{payment_method}/detach", "POST", detach_payment_method),
        _route("/webhook-endpoints/{endpoint}/disable", "POST", disable_webhook_endpoint),
        _route("/webhook-endpoints/{endpoint}/enable", "POST", enable_webhook_endpoint),
        _route("/webhook-endpoints/{endpoint}", "DELETE", delete_webhook_endpoint),
    ]


def create_account(store: Store, body: dict[str, Any], _: dict[str, str]) -> Document:
    return world.ensure_account(
        store,
        str(body.get("id") or world.new_account_id()),
        livemode=bool(body.get("livemode", False)),
        email=body.get("email"),
        name=body.get("name"),
        country=str(body.get("country") or "US"),
    )


def list_accounts(store: Store, _: dict[str, Any], __: dict[str, str]) -> Document:
    return {"data": store.find(world.ACCOUNTS)}


def account_of_key(store: Store, body: dict[str, Any], _: dict[str, str]) -> Document:
    account = world.account_for_key(store, _key(body))
    if account is None:
        raise StripeError(404, "No account: the key is malformed, unknown or revoked.")
    return account


def register_key(store: Store, body: dict[str, Any], _: dict[str, str]) -> Document:
    """Bind a key to `account`, or to its mode's default account when the body names none."""
    key = _key(body)
    if not world.is_well_formed_key(key):
        raise invalid_param("key", f"Keys look like {world.KEY_FORMAT}.")
    account_id = body.get("account", world.default_account_id(world.key_livemode(key)))
    if not isinstance(account_id, str) or not account_id.startswith("acct_"):
        raise invalid_param("account", "An account id looks like acct_ and letters and digits.")
    record = world.register_key(store, key, account_id)
    return {"account": record["account"], "masked_key": record["masked"], "revoked": False}


def revoke_key(store: Store, body: dict[str, Any], _: dict[str, str]) -> Document:
    key = _key(body)
    if not world.revoke_key(store, key):
        raise StripeError(404, "No such key.", param="key")
    return {"masked_key": world.masked_key(key), "revoked": True}


def deactivate_tax(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    return world.set_tax_active(store, _account_id(store, path), active=False)


def activate_tax(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    return world.set_tax_active(store, _account_id(store, path), active=True)


def remove_default_portal_configuration(
    store: Store, _: dict[str, Any], path: dict[str, str]
) -> Document:
    removed = world.remove_default_portal_configuration(store, _account_id(store, path))
    return {"removed": removed}


def delete_customer(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    customer = _stored(store, world.CUSTOMERS, path["customer"], "customer")
    return world.delete_customer(store, customer[world.OWNER], customer["id"])


def detach_payment_method(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    method = _stored(store, world.PAYMENT_METHODS, path["payment_method"], "PaymentMethod")
    return world.detach_payment_method(store, method[world.OWNER], method["id"])


def disable_webhook_endpoint(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    return _set_endpoint_status(store, path["endpoint"], "disabled")


def enable_webhook_endpoint(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    return _set_endpoint_status(store, path["endpoint"], "enabled")


def delete_webhook_endpoint(store: Store, _: dict[str, Any], path: dict[str, str]) -> Document:
    endpoint = _stored(store, world.WEBHOOK_ENDPOINTS, path["endpoint"], "webhook endpoint")
    store.delete(world.WEBHOOK_ENDPOINTS, endpoint["id"])
    return {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}


def _set_endpoint_status(store: Store, endpoint_id: str, status: str) -> Document:
    with store.transaction():
        endpoint = _stored(store, world.WEBHOOK_ENDPOINTS, endpoint_id, "webhook endpoint")
        endpoint["status"] = status
        store.put(world.WEBHOOK_ENDPOINTS, endpoint_id, endpoint)
    return world.public(endpoint)


def _stored(store: Store, collection: str, object_id: str, kind: str) -> Document:
    doc = store.get(collection, object_id)
    if doc is None:
        raise resource_missing(kind, object_id)
    return doc


def _account_id(store: Store, path: dict[str, str]) -> str:
    account_id = path["account"]
    if store.get(world.ACCOUNTS, account_id) is None:
        raise resource_missing("account", account_id, "account")
    return account_id


def _key(body: dict[str, Any]) -> str:
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise missing_param("key")
    return key


def _route(path: str, method: str, action: AdminAction) -> Route:
    async def endpoint(request: Request) -> Response:
        store = sandbox_of(request).store
        try:
            body = await _json_body(request)
            # The store work runs in the threadpool, as the API's does (see `endpoint`).
            result = await run_in_threadpool(action, store, body, dict(request.path_params))
        except StripeError as error:
            return error.response()
        return JSONResponse(result)

    return Route(path, endpoint, methods=[method], name=f"stripe admin {method} {path}")


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise StripeError(400, "The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise StripeError(400, "The body must be a JSON object.")
    return body
