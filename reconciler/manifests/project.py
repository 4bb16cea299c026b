"""`reconcile.yaml`: the project file at the manifest root, naming the targets to run against."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reconciler.errors import ReconcileError
from reconciler.manifests.common import Pattern, SecretReference, StrictModel
from reconciler.manifests.drift_rules import DriftSettings
from reconciler.stripe_keys import Mode

SANDBOX = "sandbox"
# The one list of Konnect regions: validation, the JSON Schema and the API URL all read it.
KonnectRegion = Literal["us", "eu", "au", "me", "in", "global"]
KONNECT_REGIONS: tuple[KonnectRegion, ...] = get_args(KonnectRegion)

TargetName = Annotated[
    str,
    Pattern(
        r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
        "target names are lower-case letters, digits and '-'",
        max_length=63,
    ),
]
BaseUrl = Annotated[
    str,
    Pattern(r"^https?://[^\s/?#]+(?:/[^\s?#]*)?$", "must be an http(s) URL without query"),
    # httpx turns `user:password@` into basic auth, which takes the place of the bearer token.
    Pattern(
        r"^https?://[^\s/?#@]+(?:/[^\s?#]*)?$",
        "must not hold a `user:password@` part: requests carry the target's token instead",
        code="credentials-in-url",
    ),
]

# Export copies the seed to the same relative path in OUT_DIR: a path leaving the project
# would be written outside OUT_DIR too.
SeedPath = Annotated[
    str,
    Pattern(
        r"^(?!/)(?!(?:.*/)?\.\.(?:/|$))[^\x00]+$",
        "must be a file inside the project: a path relative to the manifest root, without '..'",
        code="seed-path",
    ),
]

# A target's manifest paths: directories, files or globs below the project file's directory.
ManifestPath = Annotated[
    str,
    Pattern(
        r"^(?!/)(?!(?:.*/)?\.\.(?:/|$))[^\x00]+$",
        "must be a path or glob relative to the manifest root, without '..'",
        code="manifest-path",
    ),
]
VarName = Annotated[
    str,
    Pattern(
        r"^[A-Za-z_][A-Za-z0-9_]*$",
        "variable names are letters, digits and '_', not starting with a digit",
        max_length=128,
    ),
]


def _plain_value(value: object) -> object:
    if not isinstance(value, str | int | float | bool):
        raise PydanticCustomError("var-value", "a var is a string, a number or a boolean")
    # A var is a value: a reference inside it would be resolved nowhere, and a secret
    # reference would turn `vars:` into a way around `${env:...}`.
    if isinstance(value, str) and "${" in value:
        raise PydanticCustomError(
            "var-value",
            "a var holds a value, not a reference: write ${env:NAME} in the manifest itself",
        )
    return value


VarValue = Annotated[
    StrictStr | StrictInt | StrictFloat | StrictBool, BeforeValidator(_plain_value)
]
StripeReadKey = Annotated[
    SecretReference | None,
    Field(
        description="Stripe key for reads, e.g. ${env:STRIPE_READ_KEY}: a restricted key "
        "(rk_) with read access, used for every Stripe read of plan, drift and export instead "
        "of each StripeApp's spec.api_key, which only apply then needs. Without that key, plan "
        "tells a key rotation from <NAME>_FINGERPRINT (see docs/configuration.md).",
    ),
]

# Strict, as booleans are: `rate_limit: "5"` (a string) or `true` is an error, not 5 or 1.
RateLimit = Annotated[
    StrictFloat | None,
    Field(
        gt=0,
        description="Requests per second reconcile sends to each API (Konnect, Stripe), at "
        "most; e.g. 25 for Stripe test mode. Default: no client-side limit.",
    ),
]


class Environment(StrictModel):
    """What makes a target an environment: the manifests it reads, the values it gives them
    and the Stripe mode it runs in."""

    manifests: list[ManifestPath] | None = Field(
        default=None,
        min_length=1,
        description="The manifests this target reads: directories, files or globs relative to "
        "the manifest root, e.g. [common/, staging/]. Default: every manifest of the directory.",
    )
    vars: dict[VarName, VarValue] = Field(
        default_factory=dict,
        description="Values for `${var:NAME}` in this target's manifests, taken as if written "
        "in their place. Never secrets: those stay `${env:NAME}` references.",
    )
    stripe_mode: Mode | None = Field(
        default=None,
        description="Whether this target's Stripe account runs in test or live mode. A key of "
        "the other mode, or a StripeApp whose livemode disagrees, is an error before any "
        "request. Default: unchecked, told from the keys.",
    )


class SandboxTarget(Environment):
    """The embedded Konnect + Stripe sandbox: local, no account, no network."""

    type: Literal["sandbox"]
    url: BaseUrl | None = Field(
        default=None,
        description="A sandbox already running (`reconcile sandbox serve`) instead of one "
        "started per command, e.g. to apply against one that injects faults.",
    )
    seed: SeedPath | None = Field(
        default=None,
        description="YAML file, relative to the manifest root, of Stripe customers (with fixed "
        "ids and cards) and Konnect customers that a new sandbox starts with; planted when its "
        "database is created.",
    )
    stripe_read_key: StripeReadKey = None
    rate_limit: RateLimit = None
    insecure: StrictBool = Field(
        default=False,
        description="Allow a plain http:// `url` on another host than this machine, whose "
        "traffic, any Stripe key the environment holds for the target's apps included, then "
        "crosses the network unencrypted.",
    )

    @model_validator(mode="after")
    def _encrypted_unless_local(self) -> SandboxTarget:
        if not self.insecure:
            _refuse_plain_http({"url": (self.url, "Stripe keys")})
        return self


class KonnectTarget(Environment):
    """A real Konnect organization and Stripe account."""

    type: Literal["konnect"]
    region: KonnectRegion | None = Field(
        default=None, description="Konnect region; the API is https://<region>.api.konghq.com/v3."
    )
    base_url: BaseUrl | None = Field(
        default=None, description="Konnect API base URL ending in /v3, instead of a region."
    )
    konnect_token: SecretReference = Field(description="Konnect token, e.g. ${env:KONNECT_TOKEN}.")
    konnect_read_token: SecretReference | None = Field(
        default=None,
        description="Konnect token for reads, e.g. ${env:KONNECT_READ_TOKEN}: used by plan, "
        "drift and export instead of konnect_token, which only apply and the other writing "
        "commands then need. A system account token whose team has viewer roles only.",
    )
    stripe_api_key: SecretReference | None = Field(
        default=None,
        description="Optional Stripe secret or restricted key, e.g. ${env:STRIPE_API_KEY}, read "
        "only to check tax codes when the manifests declare no StripeApp: each app is checked "
        "with its own spec.api_key.",
    )
    stripe_read_key: StripeReadKey = None
    stripe_base_url: BaseUrl | None = Field(
        default=None,
        description="Stripe API base URL, without /v1, instead of https://api.stripe.com: a "
        "test server standing in for Stripe. Same rules as `base_url`.",
    )
    rate_limit: RateLimit = None
    insecure: StrictBool = Field(
        default=False,
        description="Allow a plain http:// `base_url` or `stripe_base_url` on another host than "
        "this machine, whose traffic, the Konnect token or Stripe keys included, then crosses "
        "the network unencrypted. For a test server only.",
    )

    @model_validator(mode="after")
    def _region_or_base_url(self) -> KonnectTarget:
        if (self.region is None) == (self.base_url is None):
            raise PydanticCustomError("target-endpoint", "declare either `region` or `base_url`")
        return self

    @model_validator(mode="after")
    def _encrypted_unless_local(self) -> KonnectTarget:
        if not self.insecure:
            _refuse_plain_http(
                {
                    "base_url": (self.base_url, "Konnect token"),
                    "stripe_base_url": (self.stripe_base_url, "Stripe keys"),
                }
            )
        return self

    @property
    def api_base_url(self) -> str:
        # Exactly one of the two is set (`_region_or_base_url`).
        if self.region is not None:
            return konnect_base_url(self.region)
        return (self.base_url or "").rstrip("/")


def konnect_base_url(region: KonnectRegion) -> str:
    """The v3 base URL of a Konnect region, e.g. `https://us.api.konghq.com/v3`."""
    return f"https://{region}.api.konghq.com/v3"


def _refuse_plain_http(urls: dict[str, tuple[str | None, str]]) -> None:
    """Credentials travel over TLS or stay on this machine: each field's URL, if set, is
    https:// or a loopback address; the error names the field and what it would carry."""
    for field, (url, secret) in urls.items():
        if url is None or not url.lower().startswith("http://"):
            continue
        if _is_loopback(urlsplit(url).hostname):
            continue
        raise PydanticCustomError(
            "insecure-url",
            "http:// would send the {secret} unencrypted: use https://, a loopback "
            "address (127.0.0.1, ::1, localhost), or set `insecure: true` on the target",
            {"field": field, "secret": secret},
        )


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Target = Annotated[SandboxTarget | KonnectTarget, Field(discriminator="type")]


class Project(StrictModel):
    """The contents of `reconcile.yaml`; every field is optional."""

    default_target: TargetName | None = Field(
        default=None,
        description="Target used when a command names none. Default: the one declared target; "
        "with none declared, a Konnect target read from the environment (KONNECT_TOKEN, ...). "
        "The sandbox is used only when named here or with --target sandbox.",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Glob patterns, relative to the manifest root, of YAML files that are not "
        "manifests (`*` also matches '/'; a directory name excludes everything below it).",
    )
    targets: dict[TargetName, Target] = Field(
        default_factory=dict,
        description="Named targets. `sandbox` always exists and cannot be redefined otherwise.",
    )
    drift: DriftSettings = Field(
        default_factory=DriftSettings, description="What `reconcile drift` does not report."
    )
    default_profile: Literal["managed", "unmanaged"] = Field(
        default="managed",
        description="`unmanaged`: the organization's default billing profile is left to "
        "someone else (the integration guide's Keep Current Default Profile). No manifest may "
        "set `default: true`, the plan never switches the default, and customer links that "
        "name no profile follow whichever profile is the default, which the plan names.",
    )

    @property
    def manages_default_profile(self) -> bool:
        return self.default_profile == "managed"

    @model_validator(mode="after")
    def _default_target_exists(self) -> Project:
        if self.default_target is not None and self.default_target not in self.all_targets:
            raise PydanticCustomError(
                "unknown-target",
                "'{name}' is not among the targets",
                {"name": self.default_target, "field": "default_target"},
            )
        sandbox = self.targets.get(SANDBOX)
        if sandbox is not None and not isinstance(sandbox, SandboxTarget):
            raise PydanticCustomError(
                "unknown-target", "target 'sandbox' must be of type sandbox", {"field": "targets"}
            )
        return self

    @property
    def not_manifests(self) -> list[str]:
        """What the loader skips: the `exclude` patterns and the sandbox seed files."""
        seeds = [
            target.seed
            for target in self.targets.values()
            if isinstance(target, SandboxTarget) and target.seed
        ]
        return [*self.exclude, *seeds]

    @property
    def all_targets(self) -> dict[str, SandboxTarget | KonnectTarget]:
        return {SANDBOX: SandboxTarget(type="sandbox"), **self.targets}

    @property
    def default_target_name(self) -> str | None:
        """The target a command uses when it names none: the declared default, else the one
        declared target; None when the project leaves it open (the environment decides)."""
        if self.default_target is not None:
            return self.default_target
        return next(iter(self.targets)) if len(self.targets) == 1 else None

    def target(self, name: str) -> SandboxTarget | KonnectTarget:
        """The named target; KeyError when there is no such target."""
        return self.all_targets[name]

    @property
    def has_environments(self) -> bool:
        """Some target chooses its manifests or gives values: the directory as a whole is
        no target's view, and each target is validated on its own."""
        return any(t.manifests is not None or t.vars for t in self.targets.values())

    def unknown_target(self, name: str) -> UnknownTarget:
        known = ", ".join(sorted(self.all_targets))
        message = f"no target {name!r} in reconcile.yaml (known: {known})"
        if "." in name:  # Terraform's -target names resources; here -r/--resource does
            message += f"; to limit the command to one resource, use -r/--resource {name}"
        return UnknownTarget(message)


class UnknownTarget(ReconcileError):
    """A command names a target the project does not declare."""
