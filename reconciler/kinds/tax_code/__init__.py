"""TaxCode: tax codes and their Stripe mapping, and the organization's default tax codes
(`tax_defaults`), which the TaxCode manifests declare through `organization_default_for`."""

from __future__ import annotations

from reconciler.kinds.tax_code.organization_defaults import TaxDefaultsResource
from reconciler.kinds.tax_code.resource import ADDRESS_TYPE, TaxCodeResource

__all__ = ["ADDRESS_TYPE", "TaxCodeResource", "TaxDefaultsResource"]
