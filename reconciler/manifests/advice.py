"""Warnings about valid manifests: settings the API accepts that the integration guide warns
against. They never make the manifests invalid."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconciler.manifests.billing_profile import BillingProfile
from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.manifest_set import LoadedManifest

NO_LATE_USAGE_WAIT = "no-late-usage-wait"
INTERVAL = ("spec", "workflow", "collection", "interval")
LATE_USAGE_RISK = (
    "a wait for late usage of zero invoices only the events received by then: usage that "
    "arrives late (an ingest delay, events out of order) is missing from the invoice, whose "
    "amount is then wrong; wait longer than your ingest delays (Konnect's default is PT1H)"
)


def manifest_warnings(entries: Sequence[LoadedManifest]) -> Iterator[Diagnostic]:
    for entry in entries:
        if isinstance(entry.manifest, BillingProfile):
            yield from _late_usage_wait(entry, entry.manifest)


def _late_usage_wait(entry: LoadedManifest, profile: BillingProfile) -> Iterator[Diagnostic]:
    collection = profile.spec.workflow.collection if profile.spec.workflow else None
    interval = collection.interval if collection else None
    if interval is None or not is_zero_duration(interval):
        return
    source = entry.source
    yield Diagnostic(
        source.file,
        source.positions.locate(INTERVAL, prefer_key=False),
        NO_LATE_USAGE_WAIT,
        LATE_USAGE_RISK,
        profile.KIND,
        profile.name,
        severity="warning",
    )


def is_zero_duration(duration: str) -> bool:
    """`P0D`, `PT0S`, `P0Y0M0D`...: a valid ISO-8601 duration with no non-zero figure."""
    return not any(digit in duration for digit in "123456789")
