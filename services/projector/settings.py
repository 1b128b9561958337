"""The projector's own settings (environment prefix `REDRESS_`, like every process)."""

from __future__ import annotations

from pydantic import Field

from services.settings import Settings


class ProjectorSettings(Settings):
    """`REDRESS_PROJECTOR_INTERVAL`, `REDRESS_PROJECTOR_BATCH` on top of the shared settings."""

    projector_interval: float = Field(
        0.1, gt=0, description="seconds between polls of the log once the read models caught up"
    )
    projector_batch: int = Field(500, ge=1, le=10_000, description="events applied per transaction")
