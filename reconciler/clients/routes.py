"""The Konnect routes reconcile calls, as templates, each spelled once.

Requests are counted per template and errors name it (see `konnect.KonnectClient`), so the
kinds and the onboarding commands pass these names, never a path they build themselves.
"""

from __future__ import annotations

APPS = "/openmeter/apps"
APP = APPS + "/{appId}"
APP_INSTALL = "/openmeter/app-catalog/install"

PROFILES = "/openmeter/profiles"
PROFILE = PROFILES + "/{profileId}"

TAX_CODES = "/openmeter/tax-codes"
TAX_CODE = TAX_CODES + "/{taxCodeId}"
# The organization's default tax codes: one object, read and replaced whole.
TAX_CODE_DEFAULTS = "/openmeter/defaults/tax-codes"

CUSTOMERS = "/openmeter/customers"
CUSTOMER = CUSTOMERS + "/{customerId}"
CUSTOMER_BILLING = CUSTOMER + "/billing"
CHECKOUT_SESSIONS = CUSTOMER_BILLING + "/stripe/checkout-sessions"
PORTAL_SESSIONS = CUSTOMER_BILLING + "/stripe/portal-sessions"

# The product catalog. Every version of a plan is a plan of its own, with its own id.
METERS = "/openmeter/meters"
METER = METERS + "/{meterId}"
FEATURES = "/openmeter/features"
FEATURE = FEATURES + "/{featureId}"
PLANS = "/openmeter/plans"
PLAN = PLANS + "/{planId}"
PLAN_PUBLISH = PLAN + "/publish"
PLAN_ARCHIVE = PLAN + "/archive"
ADDONS = "/openmeter/addons"
ADDON = ADDONS + "/{addonId}"
ADDON_PUBLISH = ADDON + "/publish"
ADDON_ARCHIVE = ADDON + "/archive"
PLAN_ADDONS = PLAN + "/addons"
PLAN_ADDON = PLAN_ADDONS + "/{planAddonId}"

# Read only, filtered by status, to find what keeps an app or a profile from being deleted.
INVOICES = "/openmeter/billing/invoices"
