"""Installed billing apps and the app catalog (`/app-catalog`, `/apps`).

A Stripe app keeps the Stripe account it was installed against, the masked key it renders
(`masked_api_key`) and the digest of its key, through which the Stripe side tells whether the
key still opens that account. The key itself is never stored.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.sandbox.clock import rfc3339_now
from reconciler.sandbox.context import Sandbox, raw_body
from reconciler.sandbox.ids import new_ulid
from reconciler.sandbox.konnect_api import invoices, profiles
from reconciler.sandbox.konnect_api.collection_names import APPS
from reconciler.sandbox.konnect_api.endpoint import (
    endpoint,
    json,
    no_content,
    parse_body,
    path_id,
)
from reconciler.sandbox.konnect_api.errors import (
    invalid,
    not_found,
    problem,
)
from reconciler.sandbox.konnect_api.labels import check_labels, labels_for_read
from reconciler.sandbox.konnect_api.pagination import page_of
from reconciler.sandbox.konnect_api.query import PAGED
from reconciler.sandbox.konnect_api.schemas import (
    Description,
    Labels,
    Name,
    Sealed,
    public,
    set_optional,
    stamp_new,
)
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import world

APP_TYPES = ("stripe", "sandbox", "external_invoicing")
WEBHOOK_EVENTS = [
    "invoice.finalization_failed",
    "invoice.marked_uncollectible",
    "invoice.overdue",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.voided",
    "setup_intent.succeeded",
]
_KEY_DIGEST = "_key_digest"
# Where worlds made before keys were kept as digests hold the key in clear (see `forget_keys`).
_PLAIN_KEY = "_api_key"


def _capability(kind: str, name: str, description: str) -> dict[str, str]:
    return {"type": kind, "key": kind, "name": name, "description": description}


_TAX = _capability("calculate_tax", "Calculate Tax", "Calculate tax for a payment")
_INVOICE = _capability("invoice_customers", "Invoice Customers", "Invoice customers")
_COLLECT = _capability("collect_payments", "Collect Payments", "Collect payments")
CATALOG: dict[str, dict[str, Any]] = {
    "stripe": {
        "type": "stripe",
        "name": "Stripe",
        "description": "Send invoices, calculate tax and collect payments with Stripe.",
        "capabilities": [_TAX, _INVOICE, _COLLECT],
        "install_methods": ["with_api_key"],
    },
    "sandbox": {
        "type": "sandbox",
        "name": "Sandbox",
        "description": "Sandbox app for testing billing without an external provider.",
        "capabilities": [_TAX, _INVOICE, _COLLECT],
        "install_methods": ["no_credentials_required"],
    },
    "external_invoicing": {
        "type": "external_invoicing",
        "name": "External Invoicing",
        "description": "Invoice customers with an external system through sync hooks.",
        "capabilities": [_TAX, _INVOICE, _COLLECT],
        "install_methods": ["no_credentials_required"],
    },
}
CAPABILITY_TYPES = ["calculate_tax", "invoice_customers", "collect_payments"]


class InstallStripe(Sealed):
    type: Literal["stripe"]
    name: Name
    create_billing_profile: bool
    api_key: str


class InstallWithoutCredentials(Sealed):
    type: Literal["sandbox", "external_invoicing"]
    name: Name
    create_billing_profile: bool


class UpdateApp(Sealed):
    name: Name
    description: Description | None = None
    labels: Labels | None = None


class UpdateStripe(UpdateApp):
    type: Literal["stripe"]
    secret_api_key: str | None = None


class UpdateSandbox(UpdateApp):
    type: Literal["sandbox"]


class UpdateExternalInvoicing(UpdateApp):
    type: Literal["external_invoicing"]
    enable_draft_sync_hook: bool
    enable_issuing_sync_hook: bool


_UPDATE_MODELS: dict[str, type[UpdateApp]] = {
    "stripe": UpdateStripe,
    "sandbox": UpdateSandbox,
    "external_invoicing": UpdateExternalInvoicing,
}


def live_app(store: Store, app_id: str) -> Document | None:
    app = store.get(APPS, app_id)
    return None if app is None or app.get("deleted_at") else app


def render(store: Store, app: Document) -> Document:
    shown = public(app)
    shown["labels"] = labels_for_read(app)
    if app["type"] == "stripe":
        authorized = stripe_account_of(store, app) is not None
        shown["status"] = "ready" if authorized else "unauthorized"
    return shown


def stripe_account_of(store: Store, app: Document) -> Document | None:
    """The Stripe account the app's key opens; None once the key is revoked."""
    return world.account_for_digest(store, app[_KEY_DIGEST])


def forget_keys(store: Store) -> int:
    """Replace the clear keys of apps stored by older sandboxes with digests; how many.

    Each such key opened its app's account when it was installed, so it is registered to that
    account unless the world knows it already (revoked keys stay revoked).
    """
    if not any(_PLAIN_KEY in app for app in store.find(APPS)):
        return 0  # today's worlds: no write, so no lock taken on every start
    with store.transaction():
        legacy = [app for app in store.find(APPS) if isinstance(app.get(_PLAIN_KEY), str)]
        for app in legacy:
            key = app.pop(_PLAIN_KEY)
            if store.get(world.API_KEYS, world.key_digest(key)) is None:
                world.register_key(store, key, app["account_id"])
            _set_key(app, key)
            store.put(APPS, app["id"], app)
    return len(legacy)


def _set_key(app: Document, api_key: str) -> None:
    app[_KEY_DIGEST] = world.key_digest(api_key)
    app["masked_api_key"] = world.masked_key(api_key)


def _catalog(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    items = list(CATALOG.values())
    return json(page.envelope(items[page.offset : page.offset + page.size], len(items)))


def _catalog_item(request: Request, sandbox: Sandbox) -> Response:
    item = CATALOG.get(request.path_params["app_type"])
    if item is None:
        raise not_found("app type")
    return json(item)


def _install(request: Request, sandbox: Sandbox) -> Response:
    raw = raw_body(request)
    kind = _type_of(raw)
    model: type[Sealed] = InstallStripe if kind == "stripe" else InstallWithoutCredentials
    body = parse_body(request, model)
    store = sandbox.store
    with store.transaction():
        if isinstance(body, InstallStripe):
            app = _stripe_app(store, body)
        else:
            assert isinstance(body, InstallWithoutCredentials)
            app = _plain_app(body.type, body.name)
        store.put(APPS, app["id"], app)
        created = body.create_billing_profile
        if created:
            profiles.create_for_install(store, app, _supplier_of(store, app))
    return json(
        {
            "app": render(store, app),
            "default_for_capability_types": CAPABILITY_TYPES if created else [],
        }
    )


def _type_of(raw: bytes) -> str:
    """The discriminator, read before choosing the request model."""
    try:
        decoded = jsonlib.loads(raw or b"null")
    except ValueError:
        return ""
    kind = decoded.get("type") if isinstance(decoded, dict) else None
    if kind is None:
        raise invalid("type", "type is required", "required")
    if kind not in APP_TYPES:
        raise problem(
            400,
            "invalid request",
            [
                {
                    "field": "type",
                    "reason": "unknown app type",
                    "rule": "enum",
                    "choices": list(APP_TYPES),
                    "source": "body",
                }
            ],
        )
    return str(kind)


def _new_app(kind: str, name: str) -> Document:
    app: Document = {
        "id": new_ulid(),
        "name": name,
        "labels": {},
        "type": kind,
        "definition": CATALOG[kind],
        "status": "ready",
    }
    return stamp_new(app)


def _plain_app(kind: str, name: str) -> Document:
    app = _new_app(kind, name)
    if kind == "external_invoicing":
        app["enable_draft_sync_hook"] = False
        app["enable_issuing_sync_hook"] = False
    return app


def _stripe_app(store: Store, body: InstallStripe) -> Document:
    account = world.account_for_key(store, body.api_key)
    if account is None:
        raise invalid("api_key", "the Stripe API key is invalid or revoked")
    app = _new_app("stripe", body.name)
    app.update({"account_id": account["id"], "livemode": bool(account["livemode"])})
    _set_key(app, body.api_key)
    world.ensure_webhook_endpoint(
        store,
        account["id"],
        url=f"https://global.api.konghq.com/v3/openmeter/apps/{app['id']}/stripe/webhook",
        enabled_events=WEBHOOK_EVENTS,
        metadata={"om_app_id": app["id"]},
    )
    return app


def _supplier_of(store: Store, app: Document) -> Document:
    """The supplier of an install-created profile: the Stripe account's business details."""
    if app["type"] != "stripe":
        return {"name": "Sandbox Supplier", "addresses": {"billing_address": {"country": "US"}}}
    account = stripe_account_of(store, app) or {}
    settings = account.get("settings", {}).get("dashboard", {})
    name = settings.get("display_name") or account.get("business_profile", {}).get("name")
    return {
        "name": name or "Stripe Account",
        "addresses": {"billing_address": {"country": account.get("country") or "US"}},
    }


def _list(request: Request, sandbox: Sandbox) -> Response:
    page = page_of(request, sandbox)
    where = {"deleted_at": None}
    store = sandbox.store
    apps, total = store.page(APPS, where, offset=page.offset, limit=page.size)
    return json(page.envelope([render(store, app) for app in apps], total))


def _existing(request: Request, sandbox: Sandbox) -> Document:
    app = live_app(sandbox.store, path_id(request, "app_id", "app"))
    if app is None:
        raise not_found("app")
    return app


def _get(request: Request, sandbox: Sandbox) -> Response:
    return json(render(sandbox.store, _existing(request, sandbox)))


def _update(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    app = _existing(request, sandbox)
    raw = raw_body(request)
    body = parse_body(request, _UPDATE_MODELS.get(_type_of(raw), UpdateStripe))
    if body.present()["type"] != app["type"]:
        raise invalid("type", "the app type cannot be changed")
    with store.transaction():
        app = _existing(request, sandbox)
        app["name"] = body.name
        set_optional(app, "description", body.description)
        app["labels"] = check_labels(body.labels)
        if isinstance(body, UpdateStripe) and body.secret_api_key is not None:
            _rotate_key(store, app, body.secret_api_key)
        if isinstance(body, UpdateExternalInvoicing):
            app["enable_draft_sync_hook"] = body.enable_draft_sync_hook
            app["enable_issuing_sync_hook"] = body.enable_issuing_sync_hook
        app["updated_at"] = rfc3339_now()
        store.put(APPS, app["id"], app)
    return json(render(store, app))


def _rotate_key(store: Store, app: Document, api_key: str) -> None:
    account = world.account_for_key(store, api_key)
    if account is None:
        raise invalid("secret_api_key", "the Stripe API key is invalid or revoked")
    if account["id"] != app["account_id"]:
        raise invalid("secret_api_key", "the key belongs to a different Stripe account")
    _set_key(app, api_key)


def _uninstall(request: Request, sandbox: Sandbox) -> Response:
    store = sandbox.store
    with store.transaction():
        app = _existing(request, sandbox)
        invoices.refuse_uninstall(store, app["id"])
        app["deleted_at"] = rfc3339_now()
        store.put(APPS, app["id"], app)
    return no_content()


def routes() -> list[BaseRoute]:
    return [
        Route("/app-catalog", endpoint(_catalog, PAGED), methods=["GET"]),
        Route("/app-catalog/install", endpoint(_install), methods=["POST"]),
        Route("/app-catalog/{app_type}", endpoint(_catalog_item), methods=["GET"]),
        Route("/apps", endpoint(_list, PAGED), methods=["GET"]),
        Route("/apps/{app_id}", endpoint(_get), methods=["GET"]),
        Route("/apps/{app_id}", endpoint(_update), methods=["PUT"]),
        Route("/apps/{app_id}", endpoint(_uninstall), methods=["DELETE"]),
    ]
