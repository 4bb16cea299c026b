"""App catalog, Stripe app install (200), key rotation, status and uninstall."""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.stripe_api import world
from tests.conftest import SANDBOX_STRIPE_KEY
from tests.sandbox.konnect_api.conftest import install_sandbox_app, install_stripe
from tests.sandbox.konnect_api.contract import ContractClient

OTHER_KEY = "sk_test_" + "rotated" + "1" * 20


def test_catalog_lists_the_three_app_types(konnect: ContractClient) -> None:
    listed = konnect.get("/openmeter/app-catalog").json()
    assert [item["type"] for item in listed["data"]] == ["stripe", "sandbox", "external_invoicing"]
    assert listed["meta"]["page"] == {"number": 1, "size": 20, "total": 3}
    stripe = konnect.get("/openmeter/app-catalog/stripe").json()
    assert stripe["install_methods"] == ["with_api_key"]
    assert konnect.get("/openmeter/app-catalog/nope", check_request=False).status_code == 404


def test_stripe_install_answers_200_without_the_key(konnect: ContractClient) -> None:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={
            "type": "stripe",
            "name": "Billing",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": False,
        },
    )
    assert response.status_code == 200
    assert SANDBOX_STRIPE_KEY not in response.text
    body = response.json()
    assert body["default_for_capability_types"] == []
    app = body["app"]
    assert app["status"] == "ready"
    assert app["livemode"] is False
    assert app["account_id"].startswith("acct_")
    assert app["masked_api_key"] == world.masked_key(SANDBOX_STRIPE_KEY)
    assert konnect.get(f"/openmeter/apps/{app['id']}").json() == app


def test_install_registers_a_webhook_endpoint_in_stripe(
    konnect: ContractClient, sandbox_app: Any
) -> None:
    app = install_stripe(konnect)
    store = sandbox_app.state.sandbox.store
    endpoints = store.find(world.WEBHOOK_ENDPOINTS, {world.OWNER: app["account_id"]})
    assert [e["metadata"]["om_app_id"] for e in endpoints] == [app["id"]]
    assert "setup_intent.succeeded" in endpoints[0]["enabled_events"]


def test_install_with_a_bad_key_is_400_and_does_not_echo_it(konnect: ContractClient) -> None:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={
            "type": "stripe",
            "name": "x",
            "api_key": "sk_test_short",
            "create_billing_profile": False,
        },
    )
    assert response.status_code == 400
    assert "sk_test_short" not in response.text
    assert response.json()["invalid_parameters"][0]["field"] == "api_key"


def test_install_rejects_unknown_fields(konnect: ContractClient) -> None:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={"type": "sandbox", "name": "x", "create_billing_profile": False, "colour": "red"},
        check_request=False,
    )
    assert response.status_code == 400
    assert response.json()["invalid_parameters"] == [
        {
            "field": "colour",
            "reason": "Extra inputs are not permitted",
            "rule": "unknown_property",
            "source": "body",
        }
    ]


def test_install_with_profile_creates_a_non_default_profile_when_none_is_default(
    konnect: ContractClient,
) -> None:
    response = konnect.post(
        "/openmeter/app-catalog/install",
        json={
            "type": "stripe",
            "name": "S",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": True,
        },
    )
    assert response.json()["default_for_capability_types"] == [
        "calculate_tax",
        "invoice_customers",
        "collect_payments",
    ]
    profiles = konnect.get("/openmeter/profiles").json()["data"]
    assert [(p["name"], p["default"]) for p in profiles] == [("Stripe Billing Profile", False)]


def test_install_with_profile_takes_over_a_sandbox_default(konnect: ContractClient) -> None:
    from tests.sandbox.konnect_api.conftest import create_profile

    sandbox_app = install_sandbox_app(konnect)
    old = create_profile(konnect, sandbox_app["id"], default=True)
    konnect.post(
        "/openmeter/app-catalog/install",
        json={
            "type": "stripe",
            "name": "S",
            "api_key": SANDBOX_STRIPE_KEY,
            "create_billing_profile": True,
        },
    )
    defaults = {p["id"]: p["default"] for p in konnect.get("/openmeter/profiles").json()["data"]}
    assert defaults[old["id"]] is False
    assert sum(defaults.values()) == 1


def register(sandbox_app: Any, key: str, account: str = "acct_1SandboxTest0000") -> None:
    """Bind a key as the Stripe Dashboard would issue it: the sandbox knows no other keys."""
    world.register_key(sandbox_app.state.sandbox.store, key, account)


def test_rotation_replaces_the_masked_key(konnect: ContractClient, sandbox_app: Any) -> None:
    app = install_stripe(konnect)
    register(sandbox_app, OTHER_KEY)
    response = konnect.put(
        f"/openmeter/apps/{app['id']}",
        json={"type": "stripe", "name": "Renamed", "secret_api_key": OTHER_KEY},
    )
    assert response.status_code == 200, response.text
    assert response.json()["masked_api_key"] == world.masked_key(OTHER_KEY)
    assert response.json()["name"] == "Renamed"
    assert OTHER_KEY not in response.text


def test_rotation_to_another_account_is_refused(konnect: ContractClient, sandbox_app: Any) -> None:
    app = install_stripe(konnect)
    register(sandbox_app, OTHER_KEY, "acct_1OtherAccount00")
    response = konnect.put(
        f"/openmeter/apps/{app['id']}",
        json={"type": "stripe", "name": "x", "secret_api_key": OTHER_KEY},
    )
    assert response.status_code == 400


def test_revoked_key_makes_the_app_unauthorized(konnect: ContractClient, sandbox_app: Any) -> None:
    register(sandbox_app, OTHER_KEY)
    app = install_stripe(konnect, OTHER_KEY)
    world.revoke_key(sandbox_app.state.sandbox.store, OTHER_KEY)
    assert konnect.get(f"/openmeter/apps/{app['id']}").json()["status"] == "unauthorized"


def test_uninstall_hides_the_app(konnect: ContractClient) -> None:
    app = install_sandbox_app(konnect)
    assert konnect.delete(f"/openmeter/apps/{app['id']}").status_code == 204
    assert konnect.get(f"/openmeter/apps/{app['id']}").status_code == 404
    assert konnect.get("/openmeter/apps").json()["meta"]["page"]["total"] == 0


def test_non_ulid_app_id_is_404(konnect: ContractClient) -> None:
    assert konnect.get("/openmeter/apps/not-a-ulid", check_request=False).status_code == 404


def test_update_keeps_the_type_and_sets_hooks(konnect: ContractClient) -> None:
    installed = konnect.post(
        "/openmeter/app-catalog/install",
        json={"type": "external_invoicing", "name": "ERP", "create_billing_profile": False},
    ).json()["app"]
    assert installed["enable_draft_sync_hook"] is False
    path = f"/openmeter/apps/{installed['id']}"
    updated = konnect.put(
        path,
        json={
            "type": "external_invoicing",
            "name": "ERP",
            "description": "Invoices from the ERP",
            "enable_draft_sync_hook": True,
            "enable_issuing_sync_hook": False,
        },
    ).json()
    assert updated["enable_draft_sync_hook"] is True
    assert updated["description"] == "Invoices from the ERP"
    missing_hook = konnect.put(
        path,
        json={"type": "external_invoicing", "name": "ERP", "enable_draft_sync_hook": True},
        check_request=False,
    )
    assert missing_hook.json()["invalid_parameters"][0]["field"] == "enable_issuing_sync_hook"
    wrong_type = konnect.put(path, json={"type": "sandbox", "name": "ERP"})
    assert wrong_type.status_code == 400
