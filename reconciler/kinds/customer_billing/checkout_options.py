"""The Stripe Checkout options of one checkout link: what the manifest's `spec.checkout`
declares, overridden by the command's flags, completed with what the billing profile needs.

A profile that taxes needs the customer's address on the Stripe customer (Stripe Tax places
the customer by it), so its checkout saves the address entered (`customer_update.address:
auto`); one that charges cards or enforces tax asks for the full billing address. Collecting
tax ids saves the name too, as Stripe requires for an existing customer.
"""

from __future__ import annotations

import time
from typing import Any

from reconciler.manifests.customer_billing import CheckoutOptions, expiry_seconds

Document = dict[str, Any]


def merged(declared: CheckoutOptions | None, flags: CheckoutOptions | None) -> CheckoutOptions:
    """The manifest's options with each flag given on the command line in their place."""
    base = declared.model_dump(exclude_unset=True) if declared else {}
    given = flags.model_dump(exclude_unset=True) if flags else {}
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return CheckoutOptions.model_validate(base)


def stripe_checkout_options(
    options: CheckoutOptions, profile: Document | None
) -> tuple[Document, list[str]]:
    """The `stripe_options` (besides the redirect URLs) and the warnings they call for."""
    workflow = (profile or {}).get("workflow") or {}
    tax = workflow.get("tax") or {}
    taxed = tax.get("enabled", True)  # Konnect's default: enabled
    enforced = bool(tax.get("enforced"))
    charges = (workflow.get("payment") or {}).get("collection_method", "charge_automatically") == (
        "charge_automatically"
    )
    result: Document = {}
    collection = options.billing_address_collection or ("required" if charges or enforced else None)
    if collection:
        result["billing_address_collection"] = collection
    collecting = options.tax_id_collection is not None and options.tax_id_collection.enabled
    update = options.customer_update
    address = (update.address if update else None) or ("auto" if taxed else None)
    name = (update.name if update else None) or ("auto" if collecting else None)
    saving = {k: v for k, v in (("address", address), ("name", name)) if v}
    if saving:
        result["customer_update"] = saving
    if collecting and options.tax_id_collection is not None:
        required = options.tax_id_collection.required
        result["tax_id_collection"] = {
            "enabled": True,
            **({"required": required} if required else {}),
        }
    if options.payment_method_types:
        result["payment_method_types"] = list(options.payment_method_types)
    if options.locale:
        result["locale"] = options.locale
    if options.custom_text:
        texts = options.custom_text.model_dump(exclude_none=True)
        result["custom_text"] = {field: {"message": text} for field, text in texts.items()}
    if options.expires_after:
        result["expires_at"] = int(time.time()) + expiry_seconds(options.expires_after)
    warnings = []
    if enforced and address != "auto":
        warnings.append(
            "its billing profile enforces tax, but this checkout does not save the address "
            "entered to the Stripe customer (customer_update.address: never): the link stays "
            "blocked after the checkout until the address is set in Stripe"
        )
    return result, warnings
