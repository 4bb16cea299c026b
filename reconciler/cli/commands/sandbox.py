"""`reconcile sandbox serve`: the embedded Konnect + Stripe sandbox as a standalone server."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from reconciler.manifests.secret_patterns import register_secret
from reconciler.sandbox.config import DEFAULT_DB_PATH, SandboxConfig
from reconciler.sandbox.server import SandboxServer

DEFAULT_PORT = 8787
DEFAULT_TOKEN_ENV = "RECONCILE_SANDBOX_KONNECT_TOKEN"


@click.group()
def sandbox() -> None:
    """Run the embedded Konnect + Stripe sandbox."""


@sandbox.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Loopback port to listen on; 0 picks a free one.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB_PATH,
    show_default=True,
    help="SQLite file holding the world; processes sharing it share the world.",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Latency of every API answer: it starts this long after its request arrived.",
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of API requests answered 500, 503 or 429.",
)
@click.option(
    "--drop-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of API writes committed, then cut off mid-response.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Requests/second each API (Konnect, Stripe) accepts before answering 429.",
)
@click.option("--seed", type=int, default=None, help="Make the injected faults reproducible.")
@click.option(
    "--konnect-token-env",
    default=DEFAULT_TOKEN_ENV,
    show_default=True,
    help="Environment variable holding the Bearer token Konnect requests must carry; "
    "when it is unset, the built-in sandbox token is accepted.",
)
def serve(
    port: int,
    db_path: Path,
    latency_ms: float,
    fault_rate: float,
    drop_rate: float,
    rate_limit: float | None,
    seed: int | None,
    konnect_token_env: str,
) -> None:
    """Serve Konnect (/v3/openmeter) and Stripe (/v1) on one loopback port until Ctrl+C."""
    settings: dict[str, object] = {
        "db_path": db_path,
        "latency_ms": latency_ms,
        "fault_rate": fault_rate,
        "drop_rate": drop_rate,
        "rate_limit": rate_limit,
        "seed": seed,
    }
    token = os.environ.get(konnect_token_env)
    if token:
        settings["konnect_token"] = token
        # As a Konnect target's token is: cut from every line this process prints or logs.
        register_secret(token)
    config = SandboxConfig.model_validate(settings)
    try:
        server = SandboxServer(config, port=port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on port {port}: {error.strerror}") from None
    click.echo(_banner(server.url, config, konnect_token_env, token_given=bool(token)))
    sys.stdout.flush()
    # uvicorn shuts down gracefully on either signal, then re-raises it; end as Ctrl+C does.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _banner(url: str, config: SandboxConfig, token_env: str, *, token_given: bool) -> str:
    """Where each client points; the token is named by its variable, never shown."""
    token = f"the value of ${token_env}" if token_given else "the built-in sandbox token"
    rate_limit = f"{config.rate_limit:g} req/s per API" if config.rate_limit else "off"
    return "\n".join(
        [
            f"Sandbox listening on {url} (state in {config.db_path})",
            f"  Konnect: base URL {url}/v3/openmeter, Authorization: Bearer <{token}>",
            f"  Stripe:  API base {url} (stripe.StripeClient(key, base_addresses="
            '{"api": ...})), any well-formed sk_test_ key',
            f"  Admin:   {url}/_sandbox (reset, collections, stats, requests, faults)",
            f"  Faults:  latency {config.latency_ms:g} ms, fault rate {config.fault_rate:g}, "
            f"drop rate {config.drop_rate:g}, rate limit {rate_limit}, seed {config.seed}",
            "Press Ctrl+C to stop.",
        ]
    )
