"""Turn a project target into live-state sources: API clients, and the sandbox when local.

The sandbox is never a silent default. A command runs against the target it names, else the
project's default target, else a Konnect target read from the environment the way Terraform
providers read theirs (`KONNECT_TOKEN`, `KONNECT_REGION` or `KONNECT_BASE_URL`,
`STRIPE_API_KEY`, and `STRIPE_BASE_URL` for a test server standing in for Stripe); with
no token it stops and says how to declare a target.

For a sandbox target the embedded sandbox is served in-process for the duration of the
command, with the target's own world in `.reconcile/<target>/sandbox.db` under the manifest
root, so a later command sees the same world and two targets never share one. A world kept
at `.reconcile/sandbox.db` (where every sandbox target shared one before) is moved to the
first sandbox target that runs without a world of its own, and the command says so. Its
Stripe key stands in for an unset `${env:...}` variable so the examples run without set-up;
the key itself is never printed. Every Stripe app's account is reached with that app's own
key, resolved when the account is first read.

A target that declares its `stripe_mode` takes Stripe keys of that mode only: one of the
other mode is refused before any request, with the publishable keys, by `preflight`.

Commands that only read (plan, drift, export) use a target's read credentials when it names
them (`konnect_read_token`, `stripe_read_key`): then the write token and keys, which only the
writing commands need, may be absent from their environment.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from reconciler.clients.konnect import KonnectClient
from reconciler.clients.ratelimit import RateLimiter, Unlimited
from reconciler.core.kind import Sources
from reconciler.core.safe_output import make_private_directory
from reconciler.core.secrets import FINGERPRINT_SUFFIX, SecretSource, variable_of
from reconciler.core.stripe_facts import KeySource, StripeAccounts
from reconciler.engine.applying.lock import STATE_DIRECTORY
from reconciler.errors import ReconcileError
from reconciler.manifests import (
    KonnectTarget,
    ManifestSet,
    SandboxTarget,
    StripeApp,
    ValidationFailed,
)
from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.project import SANDBOX
from reconciler.manifests.project import UnknownTarget as UnknownTargetName
from reconciler.manifests.project_file import PROJECT_KIND, project_position
from reconciler.manifests.secret_patterns import register_secret
from reconciler.stripe_keys import Mode, kind_of, mode_of

if TYPE_CHECKING:
    from reconciler.sandbox.config import SandboxConfig
    from reconciler.sandbox.server import SandboxServer

SANDBOX_DB_FILE = "sandbox.db"
# Where every sandbox target kept its one shared world, before each had its own.
SHARED_SANDBOX_DB = STATE_DIRECTORY / SANDBOX_DB_FILE


def sandbox_db(target: str) -> Path:
    """Where the embedded sandbox of `target` keeps its world, relative to the project."""
    return STATE_DIRECTORY / target / SANDBOX_DB_FILE


# The world of the target named `sandbox`.
SANDBOX_DB = sandbox_db(SANDBOX)
EMBEDDED_SANDBOX = "embedded sandbox"
DEFAULT_STRIPE_VARIABLE = "STRIPE_API_KEY"
READ_KEY_VARIABLE = "STRIPE_READ_KEY"
TOKEN_VARIABLE = "KONNECT_TOKEN"
READ_TOKEN_VARIABLE = "KONNECT_READ_TOKEN"
REGION_VARIABLE = "KONNECT_REGION"
BASE_URL_VARIABLE = "KONNECT_BASE_URL"
STRIPE_BASE_URL_VARIABLE = "STRIPE_BASE_URL"
ENVIRONMENT_TARGET = "environment"
DEFAULT_REGION = "us"
NO_TARGET = (
    "no target to run against: set KONNECT_TOKEN (with KONNECT_REGION or KONNECT_BASE_URL, "
    "and STRIPE_API_KEY) for a Konnect organization, declare targets in reconcile.yaml "
    "(`reconcile init` writes one), or pass --target sandbox for the local sandbox"
)

log = logging.getLogger("reconcile.targets")


class TargetError(ReconcileError):
    """The target cannot be used: unknown, or its sandbox cannot be set up."""


class UnknownTarget(TargetError, UnknownTargetName):
    """A command names a target the project does not declare."""


class NoTarget(TargetError):
    """Neither the command, the project nor the environment names a target."""


@dataclass
class Connection:
    target: str
    sources: Sources
    secrets: SecretSource
    sandbox_url: str | None = None
    notes: list[str] = field(default_factory=list)
    # What the target is, when its name does not say: "embedded sandbox", "sandbox at URL".
    kind: str = ""
    # From the Stripe keys the target uses (`stripe_keys.mode_of`); None when it uses none.
    stripe_mode: Mode | None = None
    # Where a Konnect target reaches Stripe when not at api.stripe.com (a test server).
    stripe_url: str | None = None
    # The embedded sandbox's world was created by this command: its stand-in keys are news.
    new_world: bool = False

    @property
    def embedded(self) -> bool:
        """The sandbox runs in this process: it stops, and its pages with it, when we end."""
        return self.kind == EMBEDDED_SANDBOX

    @property
    def live(self) -> bool:
        """Writes reach real money: the target uses a Stripe live-mode key."""
        return self.stripe_mode == "live"

    def requests(self) -> int:
        """Requests sent so far to both APIs, retries included."""
        return self.sources.konnect.counter.total() + self.sources.stripe.counter.total()

    def header(self) -> list[str]:
        """What the plan output says about where it read from."""
        details = [self.kind] if self.kind else []
        details += [f"Stripe {self.stripe_mode} mode"] if self.stripe_mode else []
        details += [f"Stripe at {self.stripe_url}"] if self.stripe_url else []
        lines = [f"Target: {self.target}" + (f" ({', '.join(details)})" if details else "")]
        # Said once, by the command that creates the world: later runs use the same key.
        lines += [
            f"Note: {name} is not set; the sandbox's built-in test key is used instead."
            for name in sorted(self.secrets.stood_in)
            if self.new_world
        ]
        return lines + self.notes


def manifest_root(manifests: ManifestSet) -> Path:
    """The project's directory: its seed paths and local state (`.reconcile/`) are under it."""
    return manifests.base


def resolve_target(
    manifests: ManifestSet, target_name: str | None, environ: Mapping[str, str] | None = None
) -> tuple[str, KonnectTarget | SandboxTarget]:
    """The target a command runs against, and its name: the one named, the project's default,
    else a Konnect target from the environment."""
    project = manifests.project
    environ = os.environ if environ is None else environ
    name = target_name or manifests.target or project.default_target_name
    if name is None and project.targets:
        declared = ", ".join(sorted(project.targets))
        raise NoTarget(
            f"reconcile.yaml declares the targets {declared} and no default_target: "
            "choose one with --target, or set default_target"
        )
    if name is None:
        return ENVIRONMENT_TARGET, environment_target(environ)
    try:
        target = project.target(name)
    except KeyError:
        raise UnknownTarget(str(project.unknown_target(name))) from None
    return name, target


def preflight(
    manifests: ManifestSet,
    target_name: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    writes: bool = True,
) -> tuple[str, KonnectTarget | SandboxTarget]:
    """The target, checked for what would stop `connect` before its first request: an unknown
    or missing target, an unset token. Touches nothing, so that apply can ask before it takes
    its lock, and a command that cannot run leaves nothing on disk."""
    environ = os.environ if environ is None else environ
    name, target = resolve_target(manifests, target_name, environ)
    if isinstance(target, KonnectTarget):
        SecretSource(environ=environ).resolve(_token_reference(target, writes))
    _refuse_publishable_keys(_stripe_key_references(manifests, target), environ)
    check_key_modes(manifests, name, target, environ)
    return name, target


def _stripe_key_references(
    manifests: ManifestSet, target: KonnectTarget | SandboxTarget
) -> dict[str, str]:
    """Each `${env:...}` reference to a Stripe key, and who holds it, for errors to name."""
    references = {app.spec.api_key: f"StripeApp/{app.name}" for app in manifests.of_kind(StripeApp)}
    if isinstance(target, KonnectTarget) and target.stripe_api_key:
        references.setdefault(target.stripe_api_key, "the target's stripe_api_key")
    if target.stripe_read_key:
        references.setdefault(target.stripe_read_key, "the target's stripe_read_key")
    return references


def _refuse_publishable_keys(references: Mapping[str, str], environ: Mapping[str, str]) -> None:
    """A publishable key reads nothing: refused before the first request, naming the variable
    (never its value), rather than failing as an unauthorized read later."""
    for reference, holder in references.items():
        variable = variable_of(reference)
        kind = kind_of(environ.get(variable, ""))
        if kind is not None and not kind.is_secret:
            raise TargetError(
                f"{variable} ({holder}) holds {kind.describe()} ({kind.prefix}...), which reads "
                "no Stripe account, customer or tax code: set it to a secret (sk_) or "
                "restricted (rk_) key of that account"
            )


def environment_target(environ: Mapping[str, str]) -> KonnectTarget:
    """The Konnect target the environment describes; NoTarget without a token (a read token
    is enough for the commands that only read)."""
    if not environ.get(TOKEN_VARIABLE) and not environ.get(READ_TOKEN_VARIABLE):
        raise NoTarget(NO_TARGET)
    base_url = environ.get(BASE_URL_VARIABLE) or None
    fields: dict[str, object] = {
        "type": "konnect",
        "konnect_token": _reference(TOKEN_VARIABLE),
        "base_url": base_url,
        "region": environ.get(REGION_VARIABLE) or (None if base_url else DEFAULT_REGION),
    }
    optional = {
        "stripe_api_key": DEFAULT_STRIPE_VARIABLE,
        "konnect_read_token": READ_TOKEN_VARIABLE,
        "stripe_read_key": READ_KEY_VARIABLE,
    }
    fields |= {field: _reference(name) for field, name in optional.items() if environ.get(name)}
    if environ.get(STRIPE_BASE_URL_VARIABLE):
        fields["stripe_base_url"] = environ[STRIPE_BASE_URL_VARIABLE]
    try:
        return KonnectTarget.model_validate(fields)
    except ValidationError as error:
        # Messages only: pydantic's input values are never echoed, the token among them.
        problems = "; ".join(str(problem["msg"]) for problem in error.errors())
        raise TargetError(
            f"the Konnect target from {REGION_VARIABLE}/{BASE_URL_VARIABLE}/"
            f"{STRIPE_BASE_URL_VARIABLE}: {problems}"
        ) from None


def _token_reference(target: KonnectTarget, writes: bool) -> str:
    """The Konnect token a command uses: the read token, when the target names one, for the
    commands that only read."""
    return (None if writes else target.konnect_read_token) or target.konnect_token


def _reference(variable: str) -> str:
    return "${env:" + variable + "}"


@contextmanager
def connect(
    manifests: ManifestSet,
    target_name: str | None,
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    sandbox_config: SandboxConfig | None = None,
    writes: bool = False,
) -> Iterator[Connection]:
    """Clients for the target; for the sandbox target, the sandbox runs until the block ends.
    Without `writes`, the target's read credentials are used where it names them."""
    name, target = preflight(manifests, target_name, writes=writes)
    read_key = None if writes else target.stripe_read_key
    if isinstance(target, SandboxTarget) and os.environ.get(TOKEN_VARIABLE):
        log.warning(
            "Note: %s is set, but target %r is a sandbox and ignores it.", TOKEN_VARIABLE, name
        )
    notes: list[str] = []
    new_world = False
    with ExitStack() as stack:
        if isinstance(target, KonnectTarget):
            secrets = SecretSource()
            konnect_url = target.api_base_url
            konnect_token = secrets.resolve(_token_reference(target, writes))
            fallback = _fallback_key(secrets, read_key or target.stripe_api_key)
            stripe_url = target.stripe_base_url.rstrip("/") if target.stripe_base_url else None
            sandbox_url = None
            kind = f"konnect, {konnect_url}"
            target_keys = [key for key in (target.stripe_api_key, read_key) if key]
            stripe_mode = target.stripe_mode or mode_of(
                _unresolved_keys(manifests, secrets, target_keys)
            )
        else:
            # Imported here: the sandbox's server is the `sandbox` extra, which a real
            # organization's install may leave out.
            from reconciler.sandbox.config import DEFAULT_KONNECT_TOKEN, SandboxConfig

            if target.url is not None:
                sandbox_url = target.url.rstrip("/")
                konnect_token = DEFAULT_KONNECT_TOKEN
                kind = f"sandbox at {sandbox_url}"
            else:
                from reconciler.sandbox.server import SandboxServer

                kind = EMBEDDED_SANDBOX
                config = sandbox_config or SandboxConfig(
                    db_path=manifest_root(manifests) / sandbox_db(name)
                )
                make_private_directory(config.db_path.parent.parent)
                make_private_directory(config.db_path.parent)
                if sandbox_config is None:
                    notes += _take_shared_world(manifest_root(manifests), config.db_path)
                new_world = not config.db_path.exists()
                server = stack.enter_context(SandboxServer(config))
                sandbox_url = server.url
                konnect_token = config.konnect_token
            secrets = SecretSource(stand_ins=_sandbox_stand_ins(manifests))
            konnect_url = sandbox_url + "/v3"
            if target.url is None and target.seed is not None:
                key, key_source = _seed_key(manifests, secrets, read_key)
                _plant(manifest_root(manifests) / target.seed, server, key, key_source)
            fallback = _fallback_key(secrets, read_key) or _constant(_sandbox_stripe_key())
            stripe_url = sandbox_url
            keys = _unresolved_keys(manifests, secrets, [read_key] if read_key else [])
            stripe_mode = target.stripe_mode or mode_of(keys or [_sandbox_stripe_key()])
        _register_secrets(target, manifests, secrets, konnect_token)
        notes += [f"Stripe is read with {variable_of(read_key)}."] if read_key else []
        rate = rate_limit or target.rate_limit
        konnect = stack.enter_context(
            KonnectClient(
                konnect_url,
                konnect_token,
                limiter=_limiter(rate),
                # A list's pages share the reads' bound: they are reads too.
                page_concurrency=concurrency,
                unreachable_hint=_what_to_check(name, target),
            )
        )
        stripe = stack.enter_context(
            StripeAccounts(
                _app_keys(manifests, secrets, read_key),
                fallback=fallback,
                base_url=stripe_url,
                limiter=_limiter(rate),
                read_key=read_key,
            )
        )
        sources = Sources(konnect=konnect, stripe=stripe, concurrency=concurrency)
        yield Connection(
            target=name,
            sources=sources,
            secrets=secrets,
            sandbox_url=sandbox_url,
            notes=notes,
            kind=kind,
            stripe_mode=stripe_mode,
            stripe_url=None if sandbox_url else stripe_url,
            new_world=new_world,
        )


def _take_shared_world(root: Path, db_path: Path) -> list[str]:
    """Move the world all sandbox targets once shared to this target, when it has none yet:
    the first to run keeps what was applied to it."""
    shared = root / SHARED_SANDBOX_DB
    if db_path.exists() or not shared.is_file():
        return []
    # SQLite's journal files (`-wal`, `-shm`) go with the database they belong to.
    for part in sorted(shared.parent.glob(SANDBOX_DB_FILE + "*")):
        if part.is_file():
            part.rename(db_path.with_name(part.name.replace(SANDBOX_DB_FILE, db_path.name, 1)))
    relative = db_path.relative_to(root).as_posix()
    return [
        f"Note: the sandbox world at {SHARED_SANDBOX_DB.as_posix()}, once shared by every "
        f"sandbox target, moved to {relative}: each sandbox target now keeps its own."
    ]


def check_key_modes(
    manifests: ManifestSet,
    name: str,
    target: KonnectTarget | SandboxTarget,
    environ: Mapping[str, str] | None = None,
) -> None:
    """A target that declares its Stripe mode takes keys of that mode only: a test key for a
    live target (or the reverse) is an error before any request, at the reference that names
    it. Keys the environment does not hold are left to be missed when read."""
    if target.stripe_mode is None:
        return
    environ = os.environ if environ is None else environ
    # What an embedded sandbox puts in place of an unset app key: it must fit the mode too.
    stand_ins = _sandbox_stand_ins(manifests) if isinstance(target, SandboxTarget) else {}
    problems = [
        problem
        for reference, located in _key_references(manifests, name, target)
        if (
            problem := _mode_problem(
                reference, located, name, target.stripe_mode, environ, stand_ins
            )
        )
        is not None
    ]
    if problems:
        raise ValidationFailed(
            problems,
            f"{len(problems)} Stripe key(s) of the wrong mode for target {name!r}; "
            "nothing was sent",
        )


def _key_references(
    manifests: ManifestSet, name: str, target: KonnectTarget | SandboxTarget
) -> Iterator[tuple[str, Diagnostic]]:
    """Each Stripe key reference the target uses, with a diagnostic placed where it is written
    (its message still to be said)."""
    for entry in manifests.entries:
        app = entry.manifest
        if isinstance(app, StripeApp):
            position = entry.source.positions.locate(("spec", "api_key"), prefer_key=False)
            where = Diagnostic(entry.source.file, position, "stripe-mode", "", app.KIND, app.name)
            yield app.spec.api_key, where
    declared = {"stripe_read_key": target.stripe_read_key}
    if isinstance(target, KonnectTarget):
        declared["stripe_api_key"] = target.stripe_api_key
    for field_name, reference in sorted(declared.items()):
        if reference:
            file, position = project_position(manifests.base, ("targets", name, field_name))
            where = Diagnostic(file, position, "stripe-mode", "", PROJECT_KIND, file.name)
            yield reference, where


def _mode_problem(
    reference: str,
    where: Diagnostic,
    name: str,
    wanted: Mode,
    environ: Mapping[str, str],
    stand_ins: Mapping[str, str],
) -> Diagnostic | None:
    variable = variable_of(reference)
    key = environ.get(variable, "")
    stood_in = not key and variable in stand_ins
    kind = kind_of(stand_ins[variable] if stood_in else key)
    if kind is None or kind.mode == wanted:
        return None
    holds = (
        f"{variable} is not set, and the sandbox's built-in {kind.mode}-mode key stands in for it"
        if stood_in
        else f"{variable} holds a {kind.mode}-mode key"
    )
    message = (
        f"{holds}, but target {name!r} runs in Stripe {wanted} mode (its stripe_mode in "
        f"reconcile.yaml): give it a {wanted}-mode key"
    )
    return dataclasses.replace(where, message=message)


def _unresolved_keys(
    manifests: ManifestSet, secrets: SecretSource, references: list[str]
) -> list[str]:
    """The Stripe keys the apps and the target use, as far as the environment (or the
    sandbox's stand-ins) holds them, or their declared fingerprints (which start like the key);
    read without resolving, so no stand-in is noted."""
    references = [app.spec.api_key for app in manifests.of_kind(StripeApp)] + references
    names = [variable_of(reference) for reference in references]
    values = [
        secrets.environ.get(name)
        or secrets.environ.get(name + FINGERPRINT_SUFFIX)
        or secrets.stand_ins.get(name, "")
        for name in names
    ]
    return [value for value in values if value]


def _what_to_check(name: str, target: KonnectTarget | SandboxTarget) -> str:
    """What a user should look at when the target's Konnect API cannot be reached."""
    if isinstance(target, SandboxTarget):
        return f"is the sandbox of target {name!r} running?"
    if name == ENVIRONMENT_TARGET:
        setting = BASE_URL_VARIABLE if target.base_url else REGION_VARIABLE
    else:
        setting = f"targets.{name}.{'base_url' if target.base_url else 'region'} in reconcile.yaml"
    return f"is {setting} right? a proxy?"


def _register_secrets(
    target: KonnectTarget | SandboxTarget,
    manifests: ManifestSet,
    secrets: SecretSource,
    konnect_token: str,
) -> None:
    """From now on every text that leaves is cut of the target's token and of each Stripe key
    the environment holds for it, also those read later, or never (a server may echo any)."""
    references = [app.spec.api_key for app in manifests.of_kind(StripeApp)]
    references += [target.stripe_read_key] if target.stripe_read_key else []
    if isinstance(target, KonnectTarget):
        register_secret(konnect_token)
        references += [target.konnect_token, *filter(None, [target.konnect_read_token])]
        references += [target.stripe_api_key] if target.stripe_api_key else []
    for reference in references:
        register_secret(secrets.environ.get(variable_of(reference), ""))


def _plant(path: Path, server: SandboxServer, stripe_key: str, key_source: str) -> None:
    """Plant the seed unless the world has it; a refused seed leaves no trace, so the next
    run plants it again."""
    from reconciler.sandbox.seed import SeedError, SeedKeyRefused, load_seed, plant

    try:
        seed = load_seed(path)
    except SeedError as error:
        raise TargetError(str(error)) from None
    try:
        plant(seed, server.sandbox.store, stripe_key)
    except SeedError as error:
        source = f"; that key is {key_source}" if isinstance(error, SeedKeyRefused) else ""
        raise TargetError(
            f"{path}: {error}{source}; nothing of it was planted, and the next run plants it again"
        ) from None


def _limiter(rate: float | None) -> RateLimiter | Unlimited:
    # One bucket per API: each API counts its own requests against its own limit.
    return RateLimiter(rate) if rate else Unlimited()


def _sandbox_stand_ins(manifests: ManifestSet) -> dict[str, str]:
    variables = {variable_of(app.spec.api_key) for app in manifests.of_kind(StripeApp)}
    return dict.fromkeys(variables or {DEFAULT_STRIPE_VARIABLE}, _sandbox_stripe_key())


def _app_keys(
    manifests: ManifestSet, secrets: SecretSource, read_key: str | None
) -> dict[str, KeySource]:
    """Each app's key, resolved when its account is first read: each app is checked against
    its own Stripe account, with the key apply installs in Konnect, or the target's read key
    for the commands that only read."""
    return {
        app.name: functools.partial(secrets.resolve, read_key or app.spec.api_key)
        for app in manifests.of_kind(StripeApp)
    }


def _fallback_key(secrets: SecretSource, reference: str | None) -> KeySource | None:
    """The target's own Stripe key: only read where no app's key applies (tax codes
    checked in a project that declares no StripeApp)."""
    return None if reference is None else functools.partial(secrets.resolve, reference)


def _sandbox_stripe_key() -> str:
    """The key every sandbox world accepts, opening its default test account; not a secret."""
    from reconciler.sandbox.config import BUILT_IN_TEST_KEY

    return BUILT_IN_TEST_KEY


def __getattr__(name: str) -> str:
    # SANDBOX_STRIPE_KEY, read from the sandbox when first asked for: it is an extra.
    if name == "SANDBOX_STRIPE_KEY":
        return _sandbox_stripe_key()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _constant(key: str) -> KeySource:
    return lambda: key


def _seed_key(
    manifests: ManifestSet, secrets: SecretSource, read_key: str | None
) -> tuple[str, str]:
    """The Stripe key the seed is planted with (it opens the account the seed is planted in),
    and where it comes from, for errors to name: the read key when the command reads with it."""
    if read_key is not None:
        return secrets.resolve(read_key), f"the target's stripe_read_key {read_key}"
    apps = manifests.of_kind(StripeApp)
    if not apps:
        return _sandbox_stripe_key(), "the built-in test key"
    reference = apps[0].spec.api_key
    return secrets.resolve(reference), f"StripeApp/{apps[0].name}'s {reference}"


__all__ = [
    "ENVIRONMENT_TARGET",
    "SANDBOX",
    "Connection",
    "NoTarget",
    "TargetError",
    "UnknownTarget",
    "connect",
    "manifest_root",
    "preflight",
    "resolve_target",
]
