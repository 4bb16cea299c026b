"""Webhook endpoints: secret once, list/retrieve/update/delete, at most 16."""

from __future__ import annotations

import pytest
import stripe

from reconciler.sandbox.stripe_api.world import MAX_WEBHOOK_ENDPOINTS
from tests.sandbox.stripe_api.conftest import StripeHTTP, error_of

EVENTS = ["customer.updated", "setup_intent.succeeded", "checkout.session.completed"]


def test_lifecycle_through_the_sdk(stripe_client: stripe.StripeClient) -> None:
    created = stripe_client.v1.webhook_endpoints.create(
        {"url": "https://konnect.test/hook", "enabled_events": EVENTS, "metadata": {"app": "1"}}
    )

    listed = stripe_client.v1.webhook_endpoints.list()
    fetched = stripe_client.v1.webhook_endpoints.retrieve(created.id)
    disabled = stripe_client.v1.webhook_endpoints.update(created.id, {"disabled": True})
    deleted = stripe_client.v1.webhook_endpoints.delete(created.id)

    assert created.id.startswith("we_") and created.secret.startswith("whsec_")
    assert created.enabled_events == EVENTS and created.status == "enabled"
    assert [endpoint.id for endpoint in listed.data] == [created.id]
    assert "secret" not in listed.data[0] and "secret" not in fetched
    assert disabled.status == "disabled"
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.webhook_endpoints.retrieve(created.id)


def test_at_most_sixteen_per_account(raw: StripeHTTP) -> None:
    for number in range(MAX_WEBHOOK_ENDPOINTS):
        raw.post("/webhook_endpoints", {"url": f"https://h.test/{number}", "enabled_events[]": "*"})

    refused = raw.post("/webhook_endpoints", {"url": "https://h.test/x", "enabled_events[]": "*"})

    assert refused.status_code == 400 and error_of(refused)["param"] == "url"


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"enabled_events[]": "*"}, "url"),
        ({"url": "not a url", "enabled_events[]": "*"}, "url"),
        ({"url": "https://h.test"}, "enabled_events"),
        ({"url": "https://h.test", "enabled_events[0]": "Not An Event"}, "enabled_events[0]"),
    ],
)
def test_create_parameters_are_checked(raw: StripeHTTP, form: dict[str, str], param: str) -> None:
    response = raw.post("/webhook_endpoints", form)

    assert response.status_code == 400 and error_of(response)["param"] == param
