"""Accounts and their keys, and the account-wide settings: Stripe Tax and the customer portal.

As on Stripe, only keys the world knows open an account: the built-in test key (the default
test account's) and keys registered through the admin API or by a seed. Any other key, however
well-formed, is a 401. Keys are stored by digest only.
"""

from __future__ import annotations

import hashlib
import re

from reconciler.sandbox.clock import unix_now
from reconciler.sandbox.config import BUILT_IN_TEST_KEY as BUILT_IN_TEST_KEY
from reconciler.sandbox.ids import stripe_id
from reconciler.sandbox.store import Document, Store
from reconciler.sandbox.stripe_api.documents import OWNER, public

ACCOUNTS = "stripe.accounts"
API_KEYS = "stripe.api_keys"
TAX_SETTINGS = "stripe.tax_settings"
PORTAL_CONFIGURATIONS = "stripe.portal_configurations"

_KEY_PATTERN = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{10,}$")
KEY_FORMAT = "sk_test_, sk_live_, rk_test_ or rk_live_ and 10 or more letters and digits"
_DEFAULT_ACCOUNT_IDS = {False: "acct_1SandboxTest0000", True: "acct_1SandboxLive0000"}
SANDBOX_HEAD_OFFICE = {
    "city": "San Francisco",
    "country": "US",
    "line1": "100 Example Street",
    "line2": None,
    "postal_code": "94105",
    "state": "CA",
}


def is_well_formed_key(api_key: str) -> bool:
    return bool(_KEY_PATTERN.match(api_key))


def key_digest(api_key: str) -> str:
    """Keys are stored by digest, so no listing of the sandbox database shows a usable key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def masked_key(api_key: str) -> str:
    return api_key[:8] + "*" * 4 + api_key[-4:]


def key_livemode(api_key: str) -> bool:
    return "_live_" in api_key[:8]


def default_account_id(livemode: bool) -> str:
    """The account of a mode that keys are bound to when nobody names one."""
    return _DEFAULT_ACCOUNT_IDS[livemode]


def account_for_key(store: Store, api_key: str) -> Document | None:
    """The account a secret or restricted key opens; None when it is unknown or revoked."""
    return _account_of(store, key_record(store, api_key))


def account_for_digest(store: Store, digest: str) -> Document | None:
    """The account of the key with this digest, for whoever keeps a digest and not the key."""
    return _account_of(store, store.get(API_KEYS, digest))


def _account_of(store: Store, record: Document | None) -> Document | None:
    if record is None or record.get("revoked"):
        return None
    return store.get(ACCOUNTS, record["account"])


def key_record(store: Store, api_key: str) -> Document | None:
    """What the world knows of a key: its account and whether it is revoked."""
    record = store.get(API_KEYS, key_digest(api_key))
    if record is None and api_key == BUILT_IN_TEST_KEY:
        record = register_key(store, api_key, default_account_id(livemode=False))
    return record


def refusal(store: Store, api_key: str) -> str | None:
    """Why the key opens no account, in words that never repeat it; None when it opens one."""
    if not is_well_formed_key(api_key):
        return f"it is not a Stripe secret or restricted key ({KEY_FORMAT})"
    record = key_record(store, api_key)
    if record is None:
        return "the sandbox does not know it (it knows its built-in test key and registered keys)"
    if record.get("revoked"):
        return "it was revoked"
    return None


def register_key(store: Store, api_key: str, account_id: str) -> Document:
    """Bind a key to an account (created if unknown); clears an earlier revocation."""
    with store.transaction():
        ensure_account(store, account_id, livemode=key_livemode(api_key))
        return _put_key(store, api_key, account_id)


def revoke_key(store: Store, api_key: str) -> bool:
    """Revoke a key the world knows; False for one it never knew, which opens nothing anyway."""
    with store.transaction():
        record = key_record(store, api_key)
        if record is None:
            return False
        record["revoked"] = True
        store.put(API_KEYS, record["id"], record)
    return True


def _put_key(store: Store, api_key: str, account_id: str) -> Document:
    record: Document = {
        "id": key_digest(api_key),
        "masked": masked_key(api_key),
        "account": account_id,
        "livemode": key_livemode(api_key),
        "revoked": False,
        "created": unix_now(),
    }
    return store.put(API_KEYS, record["id"], record)


def ensure_account(
    store: Store,
    account_id: str,
    *,
    livemode: bool | None = None,
    email: str | None = None,
    name: str | None = None,
    country: str = "US",
) -> Document:
    """The account with this id, created with Stripe Tax active and a default portal setup."""
    with store.transaction():
        existing = store.get(ACCOUNTS, account_id)
        if existing is not None:
            return existing
        if livemode is None:
            livemode = account_id == _DEFAULT_ACCOUNT_IDS[True]
        display_name = name or "Sandbox " + ("Live" if livemode else "Test") + " Account"
        account: Document = {
            "id": account_id,
            "object": "account",
            "business_profile": {"name": display_name, "url": None, "support_email": None},
            "business_type": "company",
            "charges_enabled": True,
            "country": country,
            "created": unix_now(),
            "default_currency": "usd",
            "details_submitted": True,
            "email": email or "billing@" + account_id.lower().replace("_", "-") + ".example",
            "livemode": livemode,
            "payouts_enabled": True,
            "settings": _account_settings(display_name),
            "type": "standard",
        }
        store.put(ACCOUNTS, account_id, account)
        store.put(TAX_SETTINGS, account_id, _active_tax_settings(account_id, livemode))
        create_portal_configuration(store, account_id, is_default=True)
        return account


def _account_settings(display_name: str) -> Document:
    descriptor = display_name.upper()[:22]
    return {
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": True},
            "statement_descriptor_prefix": descriptor[:10],
        },
        "dashboard": {"display_name": display_name, "timezone": "Etc/UTC"},
        "payments": {"statement_descriptor": descriptor},
    }


def new_account_id() -> str:
    return stripe_id("acct", 16)


def livemode_of(store: Store, account_id: str) -> bool:
    account = store.get(ACCOUNTS, account_id)
    return bool(account and account["livemode"])


# --- tax settings ------------------------------------------------------------------------------


def _active_tax_settings(account_id: str, livemode: bool) -> Document:
    return {
        "object": "tax.settings",
        "defaults": {"tax_behavior": None, "tax_code": "txcd_10000000"},
        "head_office": {"address": dict(SANDBOX_HEAD_OFFICE)},
        "livemode": livemode,
        "status": "active",
        "status_details": {"active": {}},
        OWNER: account_id,
    }


def tax_settings_status(settings: Document) -> Document:
    """Recompute `status` from what is filled in: Stripe Tax needs a head office to be active."""
    if settings.get("head_office") is None:
        settings["status"] = "pending"
        settings["status_details"] = {"pending": {"missing_fields": ["head_office"]}}
    else:
        settings["status"] = "active"
        settings["status_details"] = {"active": {}}
    return settings


def get_tax_settings(store: Store, account_id: str) -> Document:
    settings = store.get(TAX_SETTINGS, account_id)
    if settings is None:
        settings = _active_tax_settings(account_id, livemode_of(store, account_id))
    return public(settings)


def set_tax_active(store: Store, account_id: str, active: bool) -> Document:
    """Out-of-band switch for drift tests: pending (no head office) or active again."""
    with store.transaction():
        settings = store.get(TAX_SETTINGS, account_id) or _active_tax_settings(
            account_id, livemode_of(store, account_id)
        )
        settings["head_office"] = {"address": dict(SANDBOX_HEAD_OFFICE)} if active else None
        store.put(TAX_SETTINGS, account_id, tax_settings_status(settings))
    return public(settings)


# --- customer portal configurations ----------------------------------------------------------


# What a portal saved with the Dashboard's defaults offers: payment methods and invoices.
_PORTAL_FEATURES: Document = {
    "customer_update": {"allowed_updates": ["email", "address"], "enabled": True},
    "invoice_history": {"enabled": True},
    "payment_method_update": {"enabled": True},
    "subscription_cancel": {
        "cancellation_reason": {"enabled": False, "options": []},
        "enabled": False,
        "mode": "at_period_end",
        "proration_behavior": "none",
    },
    "subscription_pause": {"enabled": False},
    "subscription_update": {
        "default_allowed_updates": [],
        "enabled": False,
        "proration_behavior": "none",
    },
}


def create_portal_configuration(
    store: Store,
    account_id: str,
    *,
    is_default: bool = False,
    default_return_url: str | None = None,
    metadata: dict[str, str] | None = None,
    business_profile: dict[str, str] | None = None,
) -> Document:
    profile = business_profile or {}
    configuration: Document = {
        "id": stripe_id("bpc", 24),
        "object": "billing_portal.configuration",
        "active": True,
        "application": None,
        "business_profile": {
            field: profile.get(field) or None
            for field in ("headline", "privacy_policy_url", "terms_of_service_url")
        },
        "created": unix_now(),
        "default_return_url": default_return_url,
        "features": _PORTAL_FEATURES,
        "is_default": is_default,
        "livemode": livemode_of(store, account_id),
        "login_page": {"enabled": False, "url": None},
        "metadata": dict(metadata or {}),
        "updated": unix_now(),
        OWNER: account_id,
    }
    store.put(PORTAL_CONFIGURATIONS, configuration["id"], configuration)
    return public(configuration)


def remove_default_portal_configuration(store: Store, account_id: str) -> int:
    """Drift/edge tests: the account forgets its saved portal settings. Returns how many."""
    with store.transaction():
        defaults = store.find(PORTAL_CONFIGURATIONS, {OWNER: account_id, "is_default": True})
        for configuration in defaults:
            store.delete(PORTAL_CONFIGURATIONS, configuration["id"])
    return len(defaults)
