"""StripeApp: the Stripe app installed in Konnect, matched by display name.

The key is never read back; Konnect shows a masked key, and the plan compares the same
masking of the configured key (marked sensitive, so no value reaches an Action).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.clients import routes
from reconciler.clients.answers import Expected, has_id
from reconciler.clients.konnect import KonnectClient
from reconciler.core.actions import Action, Address
from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.kind import DesiredContext, Resource, Sources, World, Writer
from reconciler.core.live import (
    Desired,
    Document,
    Live,
    compact,
    fetch_live,
    few,
    owned_labels,
    user_labels,
)
from reconciler.core.plan import Finding
from reconciler.core.secrets import public_fingerprint, variable_of
from reconciler.core.stripe_facts import StripeAccounts, StripeFacts, StripeUnavailable
from reconciler.kinds.creation import create_once
from reconciler.kinds.open_invoices import UNTIL_FINAL, blocking_invoices, named
from reconciler.manifests import StripeApp

ADDRESS_TYPE = "stripe_app"
# The variable an exported app's key is read from; a second app gets `_<NAME>` appended.
KEY_VARIABLE = "STRIPE_API_KEY"
INSTALLED = Expected(
    "a JSON object with `app.id`", lambda body: isinstance(body, dict) and has_id(body.get("app"))
)
# Konnect creates the app's Stripe webhook endpoint when it installs the app, and only then.
ENABLE_ENDPOINT = "re-enable the endpoint in the Stripe Dashboard (Developers > Webhooks)"
# Konnect alone holds the endpoint's signing secret, which Stripe shows only when the endpoint
# is created: one made by hand in the Dashboard would never be verified.
REINSTALL = (
    "reinstall the app in Konnect, which creates the endpoint anew (one added in the Stripe "
    "Dashboard cannot work: only Konnect knows its secret); the new app has a new id, and a "
    "billing profile's app cannot change, so `reconcile plan` then shows its profiles replaced "
    "(or blocked while customer links bill through them)"
)


def key_fingerprint(key: str) -> str:
    """Mode prefix and last four characters: enough to see a rotation, useless to an attacker."""
    return public_fingerprint(key)


# Konnect's install takes no labels, so the app is labelled by a second call right after; a
# run that dies or fails in between leaves an app that only this says is reconcile's.
INTERRUPTED_CREATE_NOTE = (
    "adopts an app left unlabelled by an interrupted create (same name and Stripe account, "
    "no labels, no description, no billing profile uses it): adds the label "
    "managed-by: reconcile"
)


class StripeAppResource(Resource):
    address_type = ADDRESS_TYPE
    sensitive = frozenset({"api_key"})
    missing_fix = (
        "run `reconcile apply` to install it again (Konnect creates its Stripe webhook endpoint "
        "anew), or remove it from the manifests; a billing profile's app cannot change, so the "
        "profiles of the uninstalled app are replaced or blocked: their items say which"
    )

    def desired(self, context: DesiredContext) -> list[Desired]:
        return [
            Desired(
                address=Address(type=ADDRESS_TYPE, name=app.name),
                key=app.konnect_name,
                document=compact(
                    {
                        "name": app.konnect_name,
                        "description": app.spec.description,
                        "labels": owned_labels(app.metadata.labels),
                        # From the key, or with read-only credentials from its
                        # declared fingerprint: never needs the write key to plan.
                        "api_key": context.secrets.fingerprint(app.spec.api_key),
                    }
                ),
                adopt=app.metadata.adopt,
            )
            for app in context.manifests.of_kind(StripeApp)
        ]

    def read(self, sources: Sources, desired: Sequence[Desired]) -> list[Live]:
        return _stripe_apps(sources.konnect)

    def live_document(self, live: Live, world: World) -> Document:
        masked = str(live.raw.get("masked_api_key") or "")
        return compact(
            {
                "name": live.raw.get("name"),
                "description": live.raw.get("description"),
                "labels": user_labels(live.raw.get("labels")),
                "api_key": key_fingerprint(masked) if masked else None,
            }
        )

    def prefetch_stripe(self, stripe: StripeAccounts, world: World) -> None:
        for desired in world.desired_list(self):
            facts = stripe.of(desired.address.name)
            if facts is not None:
                facts.account()
                facts.webhook_endpoints()
                facts.tax_settings()

    def stripe_checks(self, world: World) -> list[Finding]:
        if world.stripe is None:
            return []
        findings: list[Finding] = []
        for app in world.manifests.of_kind(StripeApp):
            facts = world.stripe.of(app.name)
            if facts is None:
                continue
            address = Address(type=ADDRESS_TYPE, name=app.name)
            findings += _account_findings(address, _read_with(app, world.stripe), app, facts)
            live = world.live_of(address)
            if live is not None:
                findings += _webhook_findings(address, live, facts)
                findings += _authorization_findings(address, live, world)
        return findings

    def guards(self, world: World, stripe: StripeAccounts) -> list[Finding]:
        # Held even with --skip-stripe-checks: Konnect refuses a key of another account with a
        # 400 in the middle of the apply, once the writes that do not wait for the app are made.
        findings = []
        for app in world.manifests.of_kind(StripeApp):
            foreign = _key_of_another_account(app, world, stripe)
            if foreign is not None:
                stripe.set_aside(app.name)
                findings.append(foreign)
        return findings

    def in_use(self, action: Action, users: Sequence[Address]) -> str:
        return (
            f"{len(users)} billing profile(s) that this plan keeps invoice through it "
            f"({few(users)}); deleting it would leave them without their app. Keep this app, "
            "or retire those profiles first (a profile's app cannot change)"
        )

    def implicit_adoption(self, desired: Desired, live: Live, world: World) -> str | None:
        return INTERRUPTED_CREATE_NOTE if _left_by_interrupted_create(live, world) else None

    def secret_references(self, desired: Desired, context: DesiredContext) -> dict[str, str]:
        app = context.manifests.get(StripeApp, desired.address.name)
        return {} if app is None else {"api_key": app.spec.api_key}

    def fetch(self, konnect: KonnectClient, live: Live) -> Live | None:
        return fetch_live(konnect, routes.APP, {"appId": live.id}, "name")

    def find(self, konnect: KonnectClient, desired: Desired) -> Live | None:
        return next((app for app in _stripe_apps(konnect) if app.key == desired.key), None)

    def create(self, desired: Desired, writer: Writer) -> str:
        # Installed without the profile Konnect would make: the manifests declare profiles.
        def install() -> str:
            body = {
                "type": "stripe",
                "name": desired.key,
                "api_key": _api_key(desired, writer),
                "create_billing_profile": False,
            }
            installed = writer.konnect.post(routes.APP_INSTALL, body, expect=INSTALLED)
            app_id: str = installed["app"]["id"]
            return app_id

        app_id = create_once(install, lambda: self.find(writer.konnect, desired))
        # Install takes no description or labels; ownership is marked right after.
        writer.konnect.put(routes.APP, _update_body(desired), path={"appId": app_id})
        return app_id

    def update(self, desired: Desired, live: Live, writer: Writer) -> str:
        body = _update_body(desired)
        if self.live_document(live, writer.world).get("api_key") != desired.document["api_key"]:
            body["secret_api_key"] = _api_key(desired, writer)
        writer.konnect.put(routes.APP, body, path={"appId": live.id})
        return live.id

    def deletions_refused(
        self, deleted: Sequence[Live], sources: Sources, world: World
    ) -> dict[str, str]:
        found = blocking_invoices(
            sources.konnect, [live.id for live in deleted], lambda i, app: app in i.app_ids
        )
        return {
            app_id: f"Konnect refuses to uninstall an app that invoices not yet final use: "
            f"{len(using)} invoice(s) ({named(using)}); {UNTIL_FINAL}"
            for app_id, using in found.items()
        }

    def delete(self, live: Live, writer: Writer) -> None:
        writer.konnect.delete(routes.APP, path={"appId": live.id})

    def adopt(self, live: Live, konnect: KonnectClient) -> None:
        raw = live.raw
        body = {
            "type": "stripe",
            "name": raw["name"],
            "description": raw.get("description"),
            "labels": owned_labels(user_labels(raw.get("labels"))),
        }
        konnect.put(routes.APP, compact(body), path={"appId": live.id})

    def export(self, context: ExportContext) -> None:
        apps = context.distinct(ADDRESS_TYPE, context.live_of(ADDRESS_TYPE))
        names = context.name_all(ADDRESS_TYPE, [(app, app.key) for app in apps])
        first = min(names.values(), default=None)
        for app in sorted(apps, key=lambda live: names[live.id]):
            name = names[app.id]
            variable = KEY_VARIABLE if name == first else f"{KEY_VARIABLE}_{_variable_part(name)}"
            spec = _exported_spec(app.raw, name, variable)
            context.add(
                ADDRESS_TYPE,
                app,
                manifest_document(StripeApp.KIND, name, app, spec, needs_adoption=True),
            )


def _left_by_interrupted_create(live: Live, world: World) -> bool:
    """Whether the unowned app with the manifest's name is just as `create` leaves it when the
    labelling call never happens: installed with the manifest's Stripe account, given nothing
    install cannot give, and not yet used. An app someone set up by hand and billed through
    has a profile on it; one of another account is not ours at all."""
    raw = live.raw
    if user_labels(raw.get("labels")) or raw.get("description"):
        return False
    address = world.address_of(ADDRESS_TYPE, live)
    facts = world.stripe.of(address.name) if world.stripe is not None else None
    if world.is_referenced(address) or facts is None:
        return False
    try:
        account = facts.account()
    except StripeUnavailable:
        return False
    return raw.get("account_id") is not None and raw.get("account_id") == account.get("id")


def _stripe_apps(konnect: KonnectClient) -> list[Live]:
    apps = konnect.list_all(routes.APPS)
    return [Live.of(app, "name") for app in apps if app.get("type") == "stripe"]


def _exported_spec(raw: Document, name: str, variable: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": raw["name"] if raw["name"] != name else None,
        "description": raw.get("description"),
        # The key is never readable; the manifest names where it will come from.
        "api_key": f"${{env:{variable}}}",
        "livemode": raw.get("livemode"),
        "account_id": raw.get("account_id"),
    }
    return compact(spec)


def _variable_part(name: str) -> str:
    return name.upper().replace("-", "_")


def _update_body(desired: Desired) -> Document:
    document = desired.document
    return compact(
        {
            "type": "stripe",
            "name": document["name"],
            "description": document.get("description"),
            "labels": document.get("labels"),
        }
    )


def _api_key(desired: Desired, writer: Writer) -> str:
    app = writer.world.manifests.get(StripeApp, desired.address.name)
    if app is None:
        raise LookupError(f"{desired.address} is in no manifest")
    return writer.secrets.resolve(app.spec.api_key)


def _read_with(app: StripeApp, stripe: StripeAccounts) -> str:
    """The variable of the key the app's account is read with: the target's read key, if any."""
    return variable_of(stripe.read_key or app.spec.api_key)


def _account_findings(
    address: Address, variable: str, app: StripeApp, stripe: StripeFacts
) -> list[Finding]:
    try:
        account = stripe.account()
    except StripeUnavailable as failure:
        return [
            Finding.blocking(
                address,
                f"the Stripe key does not read its account ({failure})",
                f"set {variable} to a valid secret or restricted key with read access to the "
                "account",
            )
        ]
    findings = []
    if app.spec.account_id is not None and account.get("id") != app.spec.account_id:
        findings.append(
            Finding.blocking(
                address,
                f"the key opens Stripe account {account.get('id')}, "
                f"not {app.spec.account_id} as declared",
                "use a key of the declared account, or correct spec.account_id",
            )
        )
    livemode = _key_livemode(stripe)
    if app.spec.livemode is not None and livemode is not None and livemode != app.spec.livemode:
        mode = "live" if livemode else "test"
        findings.append(
            Finding.blocking(
                address,
                f"the key is a {mode}-mode key, but spec.livemode is {app.spec.livemode}",
                "use a key of the declared mode, or correct spec.livemode",
            )
        )
    return findings


def _key_of_another_account(app: StripeApp, world: World, stripe: StripeAccounts) -> Finding | None:
    """The finding when the manifest's key opens another Stripe account than the one the
    installed app belongs to (which Konnect keeps for good); None when they agree or either
    is unknown (a key that reads nothing is the account check's to report)."""
    address = Address(type=ADDRESS_TYPE, name=app.name)
    live = world.live_of(address)
    installed = live.raw.get("account_id") if live is not None else None
    # Asked only then: opening the account needs its key, which a new app's plan may lack.
    facts = stripe.behind_key(app.name) if installed is not None else None
    if installed is None or facts is None:
        return None
    try:
        opened = facts.account().get("id")
    except StripeUnavailable:
        return None
    if opened == installed:
        return None
    variable = _read_with(app, stripe)
    return Finding.blocking(
        address,
        f"{variable} holds a key of Stripe account {opened}, but the app is installed with "
        f"Stripe account {installed}, and Konnect refuses a key of another account",
        f"set {variable} to a key of {installed}; or, to bill through {opened}, declare a new "
        "StripeApp with this key (apply installs it) and move the billing profiles to it: a "
        "profile's app cannot change, so they are replaced, and every customer link on them "
        f"must name a Stripe customer of {opened}",
    )


def _key_livemode(stripe: StripeFacts) -> bool | None:
    # The key's prefix tells its mode, as the Target line shows it, also for a restricted key
    # that may not read tax settings. Otherwise: Stripe's account object has no livemode; the
    # tax settings singleton does.
    if stripe.key_mode is not None:
        return stripe.key_mode == "live"
    try:
        value = stripe.tax_settings().get("livemode")
    except StripeUnavailable:
        return None
    return bool(value) if value is not None else None


def _authorization_findings(address: Address, live: Live, world: World) -> list[Finding]:
    """Konnect marks the app `unauthorized` when Stripe refuses the key it holds (revoked)."""
    if live.raw.get("status") != "unauthorized":
        return []
    desired = world.desired_of(address)
    masked = str(live.raw.get("masked_api_key") or "")
    if desired is not None and desired.document.get("api_key") != key_fingerprint(masked):
        return []  # the plan sets another key; the account check vouches for that one
    return [
        Finding.blocking(
            address,
            "Konnect reports the app as unauthorized: Stripe refuses the key it holds "
            "(revoked or expired)",
            "create a new key in the Stripe Dashboard, set it in the environment variable "
            "and apply",
        )
    ]


def _webhook_findings(address: Address, live: Live, stripe: StripeFacts) -> list[Finding]:
    try:
        endpoints = stripe.webhook_endpoints()
    except StripeUnavailable:
        return []
    ours = [e for e in endpoints if _serves_app(e, live.id)]
    if not ours:
        return [
            Finding.blocking(
                address,
                "the Stripe webhook endpoint Konnect relies on for checkout completion and "
                "invoice events is missing",
                REINSTALL,
            )
        ]
    if not any(e.get("status") == "enabled" for e in ours):
        message = "the app's Stripe webhook endpoint is disabled"
        return [Finding.blocking(address, message, ENABLE_ENDPOINT)]
    return []


def _serves_app(endpoint: Document, app_id: str) -> bool:
    metadata = endpoint.get("metadata") or {}
    url = str(endpoint.get("url") or "")
    return metadata.get("om_app_id") == app_id or f"/apps/{app_id}/" in url
