"""Where the Konnect side keeps its documents, and the hidden fields other modules read.

Collections carry the `konnect.` prefix so admin tools can list and patch them generically.
Fields starting with `_` are sandbox bookkeeping and never rendered.
"""

from __future__ import annotations

APPS = "konnect.apps"
PROFILES = "konnect.profiles"
CUSTOMERS = "konnect.customers"
# subject key -> owning customer, so the one-owner rule needs no scan
SUBJECT_KEYS = "konnect.subject_keys"
TAX_CODES = "konnect.tax_codes"
ORGANIZATION_DEFAULTS = "konnect.organization_defaults"
# checkout session id -> Konnect customer, for the admin action that completes it
CHECKOUT_SESSIONS = "konnect.checkout_sessions"
# invoices, made by the admin action (the sandbox bills no usage)
INVOICES = "konnect.invoices"
# the product catalog: meters, features and plans (every version of a plan is one document)
METERS = "konnect.meters"
FEATURES = "konnect.features"
PLANS = "konnect.plans"
ADDONS = "konnect.addons"
# a plan version's add-ons: which add-on, from which phase, how many
PLAN_ADDONS = "konnect.plan_addons"

# on a customer: the profile it is pinned to (the customer override) and its app data
PINNED_PROFILE = "_pinned_profile_id"
APP_DATA = "_app_data"
