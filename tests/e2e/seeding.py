"""Seed a sandbox from manifest documents exactly as an apply would write them."""

from __future__ import annotations

from typing import Any

from tests.e2e.worlds import OWNED, World, profile_body


def labels_of(document: dict[str, Any]) -> dict[str, str]:
    return {**(document["metadata"].get("labels") or {}), **OWNED}


def seed(world: World, documents: list[dict[str, Any]]) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        by_kind.setdefault(document["kind"], []).append(document)
    [app_document] = by_kind["StripeApp"]
    app = world.stripe_app(
        name=app_document["spec"].get("name", app_document["metadata"]["name"]),
        labels=labels_of(app_document),
    )
    codes = {doc["metadata"]["name"]: _tax_code(world, doc) for doc in by_kind.get("TaxCode", [])}
    _tax_defaults(world, by_kind.get("TaxCode", []), codes)
    # The default last, so creating it demotes nothing that should stay the default.
    profiles = sorted(by_kind.get("BillingProfile", []), key=lambda d: d["spec"].get("default", 0))
    created = {doc["metadata"]["name"]: _profile(world, app, doc) for doc in profiles}
    for link in by_kind.get("CustomerBilling", []):
        _link(world, link, created)


def _tax_code(world: World, document: dict[str, Any]) -> dict[str, Any]:
    spec = document["spec"]
    extra = {"description": spec["description"]} if "description" in spec else {}
    return world.tax_code(
        spec["key"],
        spec.get("name", document["metadata"]["name"]),
        stripe_code=spec["stripe_tax_code"],
        labels=labels_of(document),
        **extra,
    )


def _tax_defaults(
    world: World, documents: list[dict[str, Any]], codes: dict[str, dict[str, Any]]
) -> None:
    current = world.konnect("GET", "/defaults/tax-codes")
    body = {
        "invoicing_tax_code": current["invoicing_tax_code"],
        "credit_grant_tax_code": current["credit_grant_tax_code"],
    }
    fields = {"invoicing": "invoicing_tax_code", "credit_grants": "credit_grant_tax_code"}
    for document in documents:
        for use in document["spec"].get("organization_default_for") or []:
            body[fields[use]] = {"id": codes[document["metadata"]["name"]]["id"]}
    world.konnect("PUT", "/defaults/tax-codes", body)


def _profile(world: World, app: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    body = profile_body(document["spec"], document["metadata"]["name"], None)
    body["labels"] = labels_of(document)
    body["apps"] = {role: {"id": app["id"]} for role in ("tax", "invoicing", "payment")}
    created: dict[str, Any] = world.konnect("POST", "/profiles", body)
    return created


def _link(world: World, document: dict[str, Any], profiles: dict[str, dict[str, Any]]) -> None:
    spec = document["spec"]
    declared = dict(spec["customer"])
    subject_keys = declared.pop("subject_keys", None)
    if subject_keys:
        declared["usage_attribution"] = {"subject_keys": subject_keys}
    key = declared.pop("key")
    customer = world.customer(key, labels=labels_of(document), **declared)
    profile = profiles[spec["billing_profile"]] if spec.get("billing_profile") else None
    stripe = spec["stripe"]
    world.link(
        customer,
        stripe["customer_id"],
        profile=profile,
        payment_method=stripe.get("default_payment_method_id"),
    )
