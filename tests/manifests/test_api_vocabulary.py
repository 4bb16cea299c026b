"""Our models speak the Konnect v3 API's vocabulary: checked against the official OpenAPI file.

The specification is test data read at run time from the shared reference directory; nothing
from it is copied into the project.
"""

from __future__ import annotations

import functools
import typing
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from reconciler.manifests.billing_profile import (
    AnchoredAlignment,
    ChargeAutomatically,
    Collection,
    DefaultTaxConfig,
    Invoicing,
    SendInvoice,
    SubscriptionAlignment,
    Supplier,
    SupplierAddresses,
    Tax,
    TaxId,
    Workflow,
)
from reconciler.manifests.common import Address, CountryCode, CurrencyCode, Pattern, ResourceKey
from reconciler.manifests.customer_billing import Customer
from tests.conftest import SPECS_DIR, spec_missing

SPEC = SPECS_DIR / "openmeter-v3-openapi.yaml"
pytestmark = pytest.mark.skipif(not SPEC.is_file(), reason=spec_missing("v3", SPEC))

# Our model -> the API schema it mirrors.
COUNTERPARTS: list[tuple[type[BaseModel], str]] = [
    (Workflow, "BillingWorkflow"),
    (Collection, "BillingWorkflowCollectionSettings"),
    (SubscriptionAlignment, "BillingWorkflowCollectionAlignmentSubscription"),
    (AnchoredAlignment, "BillingWorkflowCollectionAlignmentAnchored"),
    (Invoicing, "BillingWorkflowInvoicingSettings"),
    (ChargeAutomatically, "BillingWorkflowPaymentChargeAutomaticallySettings"),
    (SendInvoice, "BillingWorkflowPaymentSendInvoiceSettings"),
    (Tax, "BillingWorkflowTaxSettings"),
    (DefaultTaxConfig, "BillingTaxConfig"),
    (Supplier, "BillingParty"),
    (SupplierAddresses, "BillingPartyAddresses"),
    (TaxId, "BillingPartyTaxIdentity"),
    (Address, "Address"),
    (Customer, "CreateCustomerRequest"),
]
# Where we deliberately flatten the API's shape.
RENAMED = {(Customer, "subject_keys"): "usage_attribution"}


@functools.cache
def schemas() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(SPEC.read_text(), Loader=loader)
    return typing.cast(dict[str, Any], document["components"]["schemas"])


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return resolve(schemas()[schema["$ref"].rsplit("/", 1)[-1]])
    if len(schema.get("allOf", [])) == 1:
        return {**resolve(schema["allOf"][0]), **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def api_properties(name: str) -> dict[str, Any]:
    return {key: resolve(value) for key, value in schemas()[name]["properties"].items()}


def literal_values(model: type[BaseModel], field: str) -> set[str] | None:
    annotation = model.model_fields[field].annotation
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)] or [annotation]
    values = [typing.get_args(arg) for arg in args if typing.get_origin(arg) is typing.Literal]
    return {value for group in values for value in group} if values else None


@pytest.mark.parametrize(("model", "api_name"), COUNTERPARTS, ids=lambda item: str(item))
def test_field_names_are_the_apis(model: type[BaseModel], api_name: str) -> None:
    properties = api_properties(api_name)
    for field in model.model_fields:
        assert RENAMED.get((model, field), field) in properties, f"{api_name} has no {field}"


@pytest.mark.parametrize(("model", "api_name"), COUNTERPARTS, ids=lambda item: str(item))
def test_enumerations_are_the_apis(model: type[BaseModel], api_name: str) -> None:
    properties = api_properties(api_name)
    for field in model.model_fields:
        ours = literal_values(model, field)
        if ours is not None and field in properties:
            assert ours == set(properties[field]["enum"]), f"{api_name}.{field}"


@pytest.mark.parametrize(("model", "api_name"), COUNTERPARTS, ids=lambda item: str(item))
def test_documented_defaults_are_the_apis(model: type[BaseModel], api_name: str) -> None:
    properties = api_properties(api_name)
    for field, info in model.model_fields.items():
        default = properties.get(field, {}).get("default")
        if isinstance(default, bool | str):
            expected = str(default).lower() if isinstance(default, bool) else default
            assert expected in (info.description or ""), f"{api_name}.{field} default {default}"


@pytest.mark.parametrize(
    ("ours", "api_name"),
    [(CountryCode, "CountryCode"), (CurrencyCode, "CurrencyCode"), (ResourceKey, "ResourceKey")],
    ids=["country", "currency", "resource-key"],
)
def test_string_formats_are_the_apis(ours: Any, api_name: str) -> None:
    (rule,) = [item for item in typing.get_args(ours)[1:] if isinstance(item, Pattern)]
    assert rule.regex == schemas()[api_name]["pattern"]
    if rule.max_length is not None:
        assert rule.max_length == schemas()[api_name]["maxLength"]
