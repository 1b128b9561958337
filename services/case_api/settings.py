"""The API process's settings (environment prefix `REDRESS_`)."""

from __future__ import annotations

from pydantic import Field

from services.settings import Settings


class ApiSettings(Settings):
    rate_limit_per_second: float = Field(
        50.0, ge=0, description="sustained requests per second per API key (0: no limit)"
    )
    rate_limit_burst: int = Field(100, ge=1, description="requests a key may burst above it")
    auth_failures_per_minute: float = Field(
        10.0,
        ge=0,
        description="failed authentications allowed per minute per client address, per API "
        "process (0: no limit); above it: 429 with Retry-After",
    )
    auth_failure_burst: int = Field(
        20, ge=1, description="failed authentications a client address may burst above it"
    )
    ready_max_projection_lag: int = Field(
        100_000, ge=0, description="/readyz fails above this many unapplied events (0: never)"
    )
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="largest request body")
    import_horizon_days: int = Field(
        1825, ge=1, description="a staff import's submitted_at may be at most this many days old"
    )
    public_url: str | None = Field(
        None,
        description="the API's public base URL (e.g. https://api.example.com) for problem "
        "`type` URIs; unset, they are absolute on the host each request was sent to",
    )

    @classmethod
    def of(cls, settings: Settings) -> ApiSettings:
        """The API's view of any settings object (shared fields kept)."""
        if isinstance(settings, cls):
            return settings
        return cls.model_validate(settings.model_dump())
