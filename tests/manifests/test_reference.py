"""The Markdown manifest reference generated from the models."""

from __future__ import annotations

import re

from reconciler.manifests.kinds import KINDS
from reconciler.manifests.reference import render_reference


def rows(reference: str, section: str) -> dict[str, list[str]]:
    body = reference.split(f"#### `{section}`", 1)[1].split("#### ", 1)[0]
    table = [line for line in body.splitlines() if line.startswith("| `")]
    return {
        re.sub(r"^`|`$", "", cells[0]): cells[1:]
        for cells in ([cell.strip() for cell in line.strip("|").split(" | ")] for line in table)
    }


def test_a_section_per_kind_and_the_project_file() -> None:
    reference = render_reference()
    for kind in [*KINDS, "reconcile.yaml"]:
        assert f"#### `{kind}`" in reference


def test_nested_fields_types_and_requiredness() -> None:
    profile = rows(render_reference(), "BillingProfile")
    assert profile["spec.supplier.name"][1] == "yes"
    assert profile["spec.workflow.payment.due_after"][0] == "ISO-8601 duration"
    assert profile["spec.workflow.payment.collection_method"][0] in (
        "`charge_automatically`",
        "`send_invoice`",
    )
    assert "PT1H" in profile["spec.workflow.collection.interval"][2]
    tax_code = rows(render_reference(), "TaxCode")
    assert tax_code["spec.stripe_tax_code"][0] == "string matching `^txcd_\\d{8}$`"
    assert tax_code["spec.organization_default_for"][0].startswith("list of one of")


def test_every_model_field_is_documented() -> None:
    customer = rows(render_reference(), "CustomerBilling")
    from reconciler.manifests.customer_billing import Customer, CustomerBillingSpec

    for name in CustomerBillingSpec.model_fields:
        assert f"spec.{name}" in customer
    for name in Customer.model_fields:
        assert f"spec.customer.{name}" in customer
