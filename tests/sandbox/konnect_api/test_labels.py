"""Label rules on write and system labels on read."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.sandbox.konnect_api.labels import ANNOTATIONS, check_labels, labels_for_read
from tests.sandbox.konnect_api.conftest import create_customer
from tests.sandbox.konnect_api.contract import ContractClient


@pytest.mark.parametrize(
    ("labels", "code"),
    [
        ({"kong-team": "a"}, "invalid_label_key_prefix"),
        ({"openmeter_x": "a"}, "invalid_label_key_prefix"),
        ({"a..b": "x"}, "invalid_label_key_format"),
        ({"team": "a__b"}, "invalid_label_value_format"),
    ],
)
def test_broken_labels_are_400_with_their_code(
    konnect: ContractClient, labels: dict[str, str], code: str
) -> None:
    response = konnect.post(
        "/openmeter/customers", json={"name": "x", "key": "k", "labels": labels}
    )
    assert response.status_code == 400
    problem = response.json()["invalid_parameters"][0]
    assert problem["rule"] == "is_label" and problem["reason"].startswith(code)


def test_at_most_fifty_labels(konnect: ContractClient) -> None:
    labels = {f"k{index}": "v" for index in range(51)}
    response = konnect.post(
        "/openmeter/customers",
        json={"name": "x", "key": "k", "labels": labels},
        check_request=False,
    )
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["rule"] == "max_items"
    assert check_labels({f"k{index}": "v" for index in range(50)})


def test_system_annotations_show_as_openmeter_labels(
    konnect: ContractClient, sandbox_app: Any
) -> None:
    customer = create_customer(konnect, "acme", labels={"team": "core"})
    store = sandbox_app.state.sandbox.store
    stored = store.get("konnect.customers", customer["id"])
    stored[ANNOTATIONS] = {"subscription_id": "sub1"}
    stored["labels"]["bad key"] = "dropped"
    store.put("konnect.customers", customer["id"], stored)
    shown = konnect.get(f"/openmeter/customers/{customer['id']}").json()["labels"]
    assert shown == {"team": "core", "openmeter_subscription_id": "sub1"}


def test_labels_for_read_drops_invalid_entries() -> None:
    assert labels_for_read({"labels": {"ok": "yes", "-bad": "x"}}) == {"ok": "yes"}
