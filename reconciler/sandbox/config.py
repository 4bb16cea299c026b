"""Settings of one sandbox world: where it is stored, who may call it, and how it misbehaves."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The world of the project's `sandbox` target, which `reconcile sandbox serve` serves by default.
DEFAULT_DB_PATH = Path(".reconcile") / "sandbox" / "sandbox.db"
DEFAULT_KONNECT_TOKEN = "sandbox-konnect-token"
# Open in every world without registration, so the examples run with no set-up. Spelt in parts
# so that secret scanners do not take it for a leaked Stripe key; it opens nothing real.
BUILT_IN_TEST_KEY = "sk_test_" + "reconcile" + "sandbox" + "0" * 16


class CannedAnswer(BaseModel):
    """An answer a route gives as is, whatever it was asked: what a misconfigured proxy or a
    broken gateway sends, such as a redirect or an HTML page with a 200."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: int = Field(ge=200, le=599)
    body: str = ""
    content_type: str | None = "application/json"
    location: str | None = Field(default=None, description="sent as the Location header")


class FaultSettings(BaseModel):
    """How the emulated APIs misbehave; admin can swap these on a running sandbox.

    Faults touch only `/v3` (Konnect) and `/v1` (Stripe), never `/_sandbox`. With a `seed`, the
    same sequence of requests meets the same sequence of faults.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    latency_ms: float = Field(
        default=0.0, ge=0, description="every API answer starts this long after its request arrived"
    )
    fault_rate: float = Field(default=0.0, ge=0, le=1, description="share answered with an error")
    fault_statuses: tuple[int, ...] = Field(
        default=(500, 503, 429), min_length=1, description="drawn uniformly for each fault"
    )
    drop_rate: float = Field(
        default=0.0, ge=0, le=1, description="share of writes committed, then cut off mid-response"
    )
    rate_limit: float | None = Field(default=None, gt=0, description="requests/second per API")
    konnect_rate_limit: float | None = Field(default=None, gt=0, description="overrides rate_limit")
    stripe_rate_limit: float | None = Field(default=None, gt=0, description="overrides rate_limit")
    retry_after_seconds: int = Field(default=1, ge=0, description="Retry-After on injected 429s")
    route_faults: dict[str, int] = Field(
        default_factory=dict,
        description="`METHOD /route/{template}` (as the stats count it) -> the status every "
        "request to that route is answered with, before it runs",
    )
    route_answers: dict[str, CannedAnswer] = Field(
        default_factory=dict,
        description="`METHOD /route/{template}` -> the answer every request to that route gets "
        "instead of running: redirects, garbage bodies",
    )
    seed: int | None = None

    @field_validator("route_faults")
    @classmethod
    def _error_statuses(cls, faults: dict[str, int]) -> dict[str, int]:
        wrong = sorted(route for route, status in faults.items() if not 400 <= status <= 599)
        if wrong:
            raise ValueError(f"route faults must answer 4xx or 5xx: {', '.join(wrong)}")
        return faults

    def limit_for(self, api: str) -> float | None:
        override = {"konnect": self.konnect_rate_limit, "stripe": self.stripe_rate_limit}.get(api)
        return override if override is not None else self.rate_limit


class SandboxConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    db_path: Path = DEFAULT_DB_PATH
    konnect_token: str = Field(default=DEFAULT_KONNECT_TOKEN, repr=False)
    latency_ms: float = Field(default=0.0, ge=0)
    fault_rate: float = Field(default=0.0, ge=0, le=1)
    drop_rate: float = Field(default=0.0, ge=0, le=1)
    rate_limit: float | None = Field(default=None, gt=0, description="requests/second per API")
    seed: int | None = None
    max_page_size: int = Field(default=100, ge=1)
    request_log_size: int = Field(default=1000, ge=1)

    def fault_settings(self) -> FaultSettings:
        return FaultSettings(
            latency_ms=self.latency_ms,
            fault_rate=self.fault_rate,
            drop_rate=self.drop_rate,
            rate_limit=self.rate_limit,
            seed=self.seed,
        )
