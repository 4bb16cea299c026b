"""Lifting what several targets' exports hold alike into a shared directory."""

from __future__ import annotations

from typing import Any

from reconciler.engine.exporter import lift_shared


def document(kind: str, handle: str, **spec: Any) -> dict[str, Any]:
    return {"kind": kind, "metadata": {"name": handle}, "spec": spec}


def test_documents_every_target_holds_alike_are_lifted_once() -> None:
    staging = {
        "stripe_app": [document("StripeApp", "stripe", name="Test")],
        "tax_code": [document("TaxCode", "saas", key="saas"), document("TaxCode", "beta")],
    }
    production = {
        "stripe_app": [document("StripeApp", "stripe", name="Live")],
        "tax_code": [document("TaxCode", "saas", key="saas")],
    }
    layout = lift_shared({"staging": staging, "production": production})
    assert layout.shared == {"tax_code": [document("TaxCode", "saas", key="saas")]}
    assert layout.own["staging"] == {
        "stripe_app": [document("StripeApp", "stripe", name="Test")],
        "tax_code": [document("TaxCode", "beta")],
    }
    assert layout.own["production"] == {
        "stripe_app": [document("StripeApp", "stripe", name="Live")]
    }
    assert layout.differing == ["StripeApp/stripe"]


def test_with_one_target_nothing_is_lifted() -> None:
    alone = {"tax_code": [document("TaxCode", "saas")]}
    layout = lift_shared({"staging": alone})
    assert layout.shared == {}
    assert layout.own == {"staging": alone}
    assert layout.differing == []


def test_a_document_two_of_three_targets_hold_stays_with_each() -> None:
    saas = document("TaxCode", "saas")
    layout = lift_shared(
        {"dev": {"tax_code": [saas]}, "staging": {"tax_code": [saas]}, "production": {}}
    )
    assert layout.shared == {}
    assert layout.own["dev"] == layout.own["staging"] == {"tax_code": [saas]}
    assert layout.differing == []
