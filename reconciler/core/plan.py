"""The plan: every proposed action, what blocks it, and what it was computed from."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from reconciler.core.actions import Action, ActionType, Address, AddressSet, no_addresses

# 2: addresses are `TYPE.NAME` strings.
PLAN_FORMAT_VERSION = 2


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(BaseModel):
    """Something found while planning; errors block apply, warnings are shown."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    address: Address
    severity: Severity = Field(description="`error` blocks apply; `warning` is shown only.")
    message: str
    fix: str = Field("", description="What to do about it; empty when nothing is to be done.")
    # A customer link's Stripe checks hold for the profile it would be billed through: a plan
    # limited to that profile (`-r`) must keep them, or it would apply around them.
    concerns: AddressSet = Field(
        default_factory=no_addresses,
        description="Other resources the finding depends on; a plan limited with `-r` keeps "
        "the finding when one of them is in scope.",
    )

    @classmethod
    def blocking(cls, address: Address, message: str, fix: str) -> Finding:
        return cls(address=address, severity=Severity.ERROR, message=message, fix=fix)


class Notice(BaseModel):
    """What a reviewer should know about a resource that is neither a change nor a problem:
    whom Stripe emails a link's invoices to, which profile a link follows."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    address: Address
    message: str
    # As for findings: a notice about a link may hold for the profile it is billed through.
    concerns: AddressSet = Field(
        default_factory=no_addresses,
        description="Other resources the notice depends on; a plan limited with `-r` keeps "
        "the notice when one of them is in scope.",
    )


class BilledThrough(BaseModel):
    """How a customer link is billed: the profile and the collection method it brings."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    billing_profile: str = Field(
        description="The profile's `metadata.name` (a profile no manifest declares shows as "
        "`(not managed: NAME)`)."
    )
    collection_method: str | None = Field(
        description="`charge_automatically` or `send_invoice`; null when not known."
    )


class MovedLink(BaseModel):
    """A customer link the plan moves to another billing profile or collection method.

    Most such moves are no write of the link's own: a link that names no profile follows the
    default, and a profile's change of collection method or replacement carries its customers
    along. Derived from the actions and the live state, so a saved plan need not be compared
    on it.
    """

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    address: Address
    before: BilledThrough
    after: BilledThrough = Field(description="Once the plan is applied.")
    cause: str = Field(description="Why it moves: `follows the default profile: a -> b`, ...")
    # As for findings: the change that moves the link may be another resource's.
    concerns: AddressSet = Field(
        default_factory=no_addresses,
        description="The resources whose change moves the link; a plan limited with `-r` keeps "
        "the entry when one of them is in scope.",
    )


class Summary(BaseModel):
    """Counted as Terraform counts: a replacement is one to add and one to destroy."""

    model_config = ConfigDict(frozen=True)

    add: int
    change: int
    destroy: int
    blocked: int


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    format_version: int = PLAN_FORMAT_VERSION
    actions: tuple[Action, ...] = Field((), description="In apply order; no-ops last.")
    findings: tuple[Finding, ...] = ()
    moved_links: tuple[MovedLink, ...] = Field(
        (),
        description="Customer links whose billing profile or collection method changes once "
        "applied: by a change of default, a profile's own change or replacement, or their "
        "manifest.",
    )
    notices: tuple[Notice, ...] = Field(
        (),
        description="What the plan shows about resources besides their changes and findings: "
        "the email Stripe sends a link's invoices to, the profile a link follows.",
    )
    not_managed: tuple[Address, ...] = Field(
        (), description="Live objects reconcile did not create and leaves untouched."
    )
    prune: bool = Field(False, description="Planned with `--prune`.")
    only: tuple[Address, ...] = Field(
        (),
        description="Planned with `-r`: the resources the plan is limited to (with what they "
        "depend on); empty when it covers everything.",
    )
    refresh: bool = Field(
        True,
        description="False when planned with `--refresh=false`: customer links whose "
        "applied-digest label matched their manifest were not read one by one.",
    )
    stripe_checks: bool = Field(
        True,
        description="False when planned with `--skip-stripe-checks`: Stripe was not read and "
        "nothing was checked against it.",
    )
    prune_scope: tuple[str, ...] = Field(
        (), description="Resource types whose owned objects `--prune` may delete."
    )
    manifest_digest: str = Field("", description="`sha256:` digest of the manifests.")
    live_fingerprint: str = Field("", description="`sha256:` digest of the live state read.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> Summary:
        count = {t: sum(1 for a in self.actions if a.type is t) for t in ActionType}
        return Summary(
            # A replacement creates one object and destroys another, as Terraform counts it.
            add=count[ActionType.CREATE] + count[ActionType.REPLACE],
            change=count[ActionType.UPDATE],
            destroy=count[ActionType.DELETE] + count[ActionType.REPLACE],
            blocked=count[ActionType.BLOCKED],
        )

    @computed_field(  # type: ignore[prop-decorator]
        description="No change, no blocked action and no finding that blocks apply: apply "
        "would do nothing and refuse nothing."
    )
    @property
    def is_noop(self) -> bool:
        # A finding that blocks apply makes the plan fail, so such a plan is no no-op even
        # when it changes nothing.
        if self.blocking_findings:
            return False
        return not any(a.is_change or a.type is ActionType.BLOCKED for a in self.actions)

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def blocked_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.type is ActionType.BLOCKED)

    def what_blocks_apply(self) -> str:
        """What keeps apply from carrying out this plan in full (`1 finding(s)`), or ""."""
        counts = [
            (len(self.blocking_findings), "finding(s)"),
            (len(self.blocked_actions), "blocked action(s)"),
        ]
        return " and ".join(f"{count} {what}" for count, what in counts if count)

    def summary_line(self) -> str:
        if self.is_noop:
            return "No changes. Live state matches the manifests."
        s = self.summary
        line = f"Plan: {s.add} to add, {s.change} to change, {s.destroy} to destroy."
        if s.blocked:
            line += f" {s.blocked} blocked."
        if self.blocking_findings:
            line += f" {len(self.blocking_findings)} finding(s) block apply."
        return line
