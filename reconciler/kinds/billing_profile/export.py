"""Export of billing profiles: each as a person would declare it, defaults left out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.core.exporting import ExportContext, manifest_document
from reconciler.core.live import Document, Live, compact
from reconciler.kinds.billing_profile.defaults import without_defaults
from reconciler.kinds.billing_profile.live import ADDRESS_TYPE, supplier
from reconciler.kinds.stripe_app import ADDRESS_TYPE as STRIPE_APP
from reconciler.manifests import BillingProfile


def export_profiles(context: ExportContext) -> None:
    """A BillingProfile manifest per live profile that uses one exported Stripe app."""
    profiles = context.distinct(ADDRESS_TYPE, context.live_of(ADDRESS_TYPE))
    names = context.name_all(ADDRESS_TYPE, [(p, p.key) for p in profiles])
    exported = [
        (profile, app)
        for profile in sorted(profiles, key=lambda live: names[live.id])
        if (app := _exported_app(profile, context)) is not None
    ]
    # A project that leaves the default to someone else declares none (default_profile).
    default = (
        _exported_default([profile for profile, _ in exported], names, context)
        if context.manages_default_profile
        else None
    )
    for profile, app in exported:
        name = names[profile.id]
        spec = _exported_spec(profile.raw, name, app, default=profile is default)
        document = manifest_document(BillingProfile.KIND, name, profile, spec, needs_adoption=True)
        context.add(ADDRESS_TYPE, profile, document)


def _exported_app(profile: Live, context: ExportContext) -> str | None:
    """The manifest name of the one Stripe app the profile uses for tax, invoicing, payment."""
    apps = profile.raw.get("apps") or {}
    ids = {(apps.get(role) or {}).get("id") for role in ("tax", "invoicing", "payment")}
    name = context.name_of(STRIPE_APP, ids.pop()) if len(ids) == 1 else None
    if name is None:
        context.skip(
            ADDRESS_TYPE,
            profile.key,
            "its tax, invoicing and payment apps are not one exported Stripe app",
        )
    return name


def _exported_default(
    exported: Sequence[Live], names: Mapping[str, str], context: ExportContext
) -> Live | None:
    """The profile exported as the default: the live default, else the first exported one.

    A project needs exactly one default (so that a link naming no profile means something);
    when the organization has none, or its default cannot be exported, the export picks one
    and says so, rather than write manifests that do not load.
    """
    default = next((p for p in exported if p.raw.get("default")), None)
    if default is not None or not exported:
        return default
    chosen = exported[0]
    live_default = next((p for p in context.live_of(ADDRESS_TYPE) if p.raw.get("default")), None)
    if live_default is None:
        reason = "no live billing profile is the default"
    else:
        reason = f"the default billing profile {live_default.key!r} is skipped"
    context.warn(
        ADDRESS_TYPE,
        f"{reason}, and a project needs one: {BillingProfile.KIND}/{names[chosen.id]} "
        f"({chosen.key!r}) is exported with `default: true`, "
        "so applying the export makes it the default (customers with no pinned profile are "
        "then billed through it); move `default: true` to another profile first if that one "
        "is meant",
    )
    return chosen


def _exported_spec(raw: Document, name: str, app: str, *, default: bool) -> Document:
    """The profile as a person would declare it: what equals the API default is left out."""
    workflow = without_defaults(raw.get("workflow") or {})
    spec = {
        "name": raw["name"] if raw["name"] != name else None,
        "description": raw.get("description"),
        "default": True if default else None,
        "app": app,
        "supplier": compact(supplier(raw)),
        "workflow": workflow or None,
    }
    return compact(spec)
