"""Settings of one sandbox world: where it is stored, who may call it, and how it misbehaves."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DB_PATH = Path(".reconcile") / "sandbox.db"
DEFAULT_KONNECT_TOKEN = "sandbox-konnect-token"


class SandboxConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    db_path: Path = DEFAULT_DB_PATH
    konnect_token: str = DEFAULT_KONNECT_TOKEN
    latency_ms: float = Field(default=0.0, ge=0)
    fault_rate: float = Field(default=0.0, ge=0, le=1)
    rate_limit: float | None = Field(default=None, gt=0, description="requests/second per API")
    seed: int | None = None
    max_page_size: int = Field(default=100, ge=1)
