"""Build sandbox worlds in a few lines, through the sandbox's own HTTP APIs, as apply would.

A `World` talks to the sandbox in-process (Starlette TestClient) on the same SQLite file that
`reconcile plan` later serves from `<manifests>/.reconcile/sandbox/sandbox.db`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from starlette.testclient import TestClient

from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN
from reconciler.targets import SANDBOX_STRIPE_KEY

OWNED = {"managed-by": "reconcile"}
SUPPLIER = {"name": "ACME Inc.", "addresses": {"billing_address": {"country": "US"}}}
API_VERSION = "reconcile.konghq.dev/v1"


class World:
    def __init__(self, client: TestClient, stripe_key: str = SANDBOX_STRIPE_KEY) -> None:
        self.client = client
        self.konnect_headers = {"Authorization": f"Bearer {DEFAULT_KONNECT_TOKEN}"}
        self.stripe_headers = {"Authorization": f"Bearer {stripe_key}"}

    def in_account(self, stripe_key: str) -> World:
        """The same world, its Stripe calls made with another key (so in that key's account)."""
        return World(self.client, stripe_key)

    # --- Konnect ----------------------------------------------------------------------------

    def konnect(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(
            method, "/v3/openmeter" + path, json=body, headers=self.konnect_headers
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def stripe_app(
        self,
        name: str = "Stripe",
        labels: dict[str, str] | None = None,
        api_key: str = SANDBOX_STRIPE_KEY,
        **fields: Any,
    ) -> dict[str, Any]:
        app: dict[str, Any] = self.konnect(
            "POST",
            "/app-catalog/install",
            {"type": "stripe", "name": name, "api_key": api_key, "create_billing_profile": False},
        )["app"]
        body = {"type": "stripe", "name": name, "labels": OWNED if labels is None else labels}
        updated: dict[str, Any] = self.konnect("PUT", f"/apps/{app['id']}", {**body, **fields})
        return updated

    def tax_code(
        self,
        key: str,
        name: str,
        stripe_code: str = "txcd_10103001",
        labels: dict[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        body = {
            "key": key,
            "name": name,
            "labels": OWNED if labels is None else labels,
            "app_mappings": [{"app_type": "stripe", "tax_code": stripe_code}],
            **fields,
        }
        code: dict[str, Any] = self.konnect("POST", "/tax-codes", body)
        return code

    def tax_defaults(self, invoicing: dict[str, Any], credit_grants: dict[str, Any]) -> None:
        self.konnect(
            "PUT",
            "/defaults/tax-codes",
            {
                "invoicing_tax_code": {"id": invoicing["id"]},
                "credit_grant_tax_code": {"id": credit_grants["id"]},
            },
        )

    def profile(
        self,
        app: dict[str, Any],
        name: str,
        *,
        default: bool = False,
        workflow: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None,
        supplier: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "labels": OWNED if labels is None else labels,
            "supplier": supplier or SUPPLIER,
            "workflow": workflow or {},
            "apps": {role: {"id": app["id"]} for role in ("tax", "invoicing", "payment")},
            "default": default,
        }
        profile: dict[str, Any] = self.konnect("POST", "/profiles", body)
        return profile

    def customer(
        self, key: str, labels: dict[str, str] | None = None, **fields: Any
    ) -> dict[str, Any]:
        body = {"key": key, "name": fields.pop("name", key), **fields}
        body["labels"] = OWNED if labels is None else labels
        customer: dict[str, Any] = self.konnect("POST", "/customers", body)
        return customer

    def link(
        self,
        customer: dict[str, Any],
        stripe_customer_id: str,
        *,
        profile: dict[str, Any] | None = None,
        payment_method: str | None = None,
    ) -> None:
        stripe: dict[str, Any] = {"customer_id": stripe_customer_id}
        if payment_method is not None:
            stripe["default_payment_method_id"] = payment_method
        body: dict[str, Any] = {"app_data": {"stripe": stripe}}
        if profile is not None:
            body["billing_profile"] = {"id": profile["id"]}
        self.konnect("PUT", f"/customers/{customer['id']}/billing", body)

    # --- Stripe -----------------------------------------------------------------------------

    def stripe(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        response = self.client.request(method, "/v1" + path, data=form, headers=self.stripe_headers)
        assert response.status_code < 300, response.text
        return response.json()

    def stripe_customer(
        self, email: str | None = "billing@example.com", *, addressed: bool = True, **form: str
    ) -> str:
        """A Stripe customer; `addressed`: with an address Stripe Tax recognises unless `form`
        gives one (a customer without one draws a tax finding on a profile that taxes)."""
        fields = dict(form)
        if addressed and not any(name.startswith("address[") for name in fields):
            fields.update({"address[country]": "US", "address[postal_code]": "94105"})
        if email is not None:
            fields["email"] = email
        customer_id: str = self.stripe("POST", "/customers", fields)["id"]
        return customer_id

    def card(
        self,
        customer_id: str,
        *,
        invoice_default: bool = True,
        billing_address: bool = True,
        expiry: tuple[int, int] | None = None,
    ) -> str:
        """A card attached to the customer, optionally its default and with a billing address;
        `expiry` is (month, year), Stripe's test default when not given."""
        token = "pm_card_visa"
        if expiry is not None:
            card = {"card[token]": "tok_visa", "type": "card"}
            card.update({"card[exp_month]": str(expiry[0]), "card[exp_year]": str(expiry[1])})
            token = self.stripe("POST", "/payment_methods", card)["id"]
        method: str = self.stripe(
            "POST", f"/payment_methods/{token}/attach", {"customer": customer_id}
        )["id"]
        if billing_address:
            self.stripe(
                "POST",
                f"/payment_methods/{method}",
                {
                    "billing_details[address][country]": "US",
                    "billing_details[address][line1]": "1 A St",
                },
            )
        if invoice_default:
            self.stripe(
                "POST",
                f"/customers/{customer_id}",
                {"invoice_settings[default_payment_method]": method},
            )
        return method

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, "/_sandbox" + path, json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def manifest(kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": name, **metadata},
        "spec": spec,
    }


def write_manifests(directory: Path, *documents: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifests.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return directory


SANDBOX_PROJECT_FILE = "default_target: sandbox\n"


def declare_sandbox(directory: Path) -> Path:
    """Make the embedded sandbox the default target of `directory`: it is never implied."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "reconcile.yaml").write_text(SANDBOX_PROJECT_FILE)
    return directory


STRIPE_APP = manifest("StripeApp", "stripe", {"name": "Stripe", "api_key": "${env:STRIPE_API_KEY}"})
# The default profile, charging automatically, and one that sends invoices instead.
SELF_SERVE = manifest(
    "BillingProfile", "self-serve", {"default": True, "app": "stripe", "supplier": SUPPLIER}
)
INVOICED = manifest(
    "BillingProfile",
    "invoiced",
    {
        "app": "stripe",
        "supplier": SUPPLIER,
        "workflow": {"payment": {"collection_method": "send_invoice"}},
    },
)


def profile_body(spec: dict[str, Any], name: str, labels: dict[str, str] | None) -> dict[str, Any]:
    """The body apply sends for a BillingProfile manifest's spec (without `apps`)."""
    body = {
        "name": spec.get("name", name),
        "labels": {**(labels or {}), **OWNED},
        "supplier": spec["supplier"],
        "workflow": spec.get("workflow", {}),
        "default": spec.get("default", False),
    }
    if "description" in spec:
        body["description"] = spec["description"]
    return body
