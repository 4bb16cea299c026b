"""`drift.ignore` rules: address globs, dotted-path prefixes, and the known address types."""

from __future__ import annotations

import pytest

from reconciler.kinds import RESOURCES
from reconciler.manifests.drift_rules import ADDRESS_TYPES, DriftSettings

RULES = DriftSettings.model_validate(
    {
        "ignore": {
            "billing_profile.*": ["supplier"],
            "customer_billing.acme-corp": ["customer.primary_email"],
        }
    }
)


@pytest.mark.parametrize(
    ("address", "path", "ignored"),
    [
        ("billing_profile.enterprise", "supplier", True),
        ("billing_profile.enterprise", "supplier.addresses.billing_address.city", True),
        ("billing_profile.enterprise", "supplier_x", False),  # a prefix of names, not characters
        ("billing_profile.enterprise", "description", False),
        ("customer_billing.acme-corp", "customer.primary_email", True),
        ("customer_billing.acme-corp-eu", "customer.primary_email", False),
        ("customer_billing.acme-corp", "customer.name", False),
        ("tax_code.billing_profile", "supplier", False),  # the type is not part of the glob's *
    ],
)
def test_rules_match_address_globs_and_dotted_prefixes(
    address: str, path: str, ignored: bool
) -> None:
    assert RULES.ignores(address, path) is ignored


def test_the_address_types_are_the_resource_registry_s() -> None:
    assert set(ADDRESS_TYPES) == {resource.address_type for resource in RESOURCES}
