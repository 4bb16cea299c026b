"""`expand[]`: replace an object id by the object, following dotted paths up to four levels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api import customer_tax, world
from reconciler.sandbox.stripe_api.errors import StripeError

MAX_DEPTH = 4

# For each object type, the fields holding ids that may be expanded and where those live.
EXPANDABLE: dict[str, dict[str, str]] = {
    "customer": {"invoice_settings.default_payment_method": world.PAYMENT_METHODS},
    "payment_method": {"customer": world.CUSTOMERS},
    "checkout.session": {"customer": world.CUSTOMERS},
    "billing_portal.session": {
        "customer": world.CUSTOMERS,
        "configuration": world.PORTAL_CONFIGURATIONS,
    },
}


# Fields Stripe computes and renders only when expanded ("includable"), by object type.
Computed = Callable[[Store, str, Document], Any]
INCLUDABLE: dict[str, dict[str, Computed]] = {
    "customer": {
        "tax": lambda store, account, customer: customer_tax.tax_of(store, account, customer),
        "tax_ids": lambda store, account, customer: customer_tax.tax_ids_of(
            store, account, customer["id"]
        ),
    },
}


def expand_paths(params: dict[str, Any]) -> list[str]:
    requested = params.get("expand")
    if requested is None or requested == "":
        return []
    if isinstance(requested, str):
        return [requested]
    if isinstance(requested, list) and all(isinstance(path, str) for path in requested):
        return requested
    raise StripeError(400, "Invalid array", param="expand")


def expand(store: Store, account_id: str, obj: Document, paths: list[str]) -> Document:
    """Expand `paths` in place (and return `obj`); on a list, paths start with `data.`."""
    for path in paths:
        parts = path.split(".")
        levels = len(parts) - (1 if obj.get("object") in ("list", "search_result") else 0)
        if levels > MAX_DEPTH:
            raise StripeError(
                400,
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                param="expand",
            )
        _expand(store, account_id, obj, parts, path)
    return obj


def _expand(store: Store, account_id: str, obj: Document, parts: list[str], path: str) -> None:
    if obj.get("object") in ("list", "search_result"):
        if parts[0] != "data" or len(parts) == 1:
            raise _not_expandable(path)
        for item in obj["data"]:
            _expand(store, account_id, item, parts[1:], path)
        return
    computed = INCLUDABLE.get(str(obj.get("object")), {}).get(parts[0])
    if computed is not None and len(parts) == 1:
        obj[parts[0]] = computed(store, account_id, obj)
        return
    fields = EXPANDABLE.get(str(obj.get("object")), {})
    for length in range(len(parts), 0, -1):
        field = ".".join(parts[:length])
        if field in fields:
            break
    else:
        raise _not_expandable(path)
    parent: Any = obj
    for part in parts[: length - 1]:
        parent = parent.get(part) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return
    key = parts[length - 1]
    value = parent.get(key)
    if isinstance(value, str):
        target = world.owned(store, fields[field], account_id, value)
        if target is not None:
            parent[key] = value = world.public(target)
    if parts[length:] and isinstance(value, dict):
        _expand(store, account_id, value, parts[length:], path)


def _not_expandable(path: str) -> StripeError:
    return StripeError(400, f"This property cannot be expanded ({path}).", param="expand")
