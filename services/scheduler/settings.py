"""The scheduler's own settings (environment prefix `REDRESS_`, like every process)."""

from __future__ import annotations

from pydantic import Field

from services.settings import Settings


class SchedulerSettings(Settings):
    """`REDRESS_SCHEDULER_INTERVAL`, `_BATCH`, `_WORKERS` on top of the shared settings."""

    scheduler_interval: float = Field(
        1.0, gt=0, description="seconds between sweeps when nothing wakes the scheduler sooner"
    )
    scheduler_batch: int = Field(
        500, ge=1, description="deadlines claimed (and locked) per transaction"
    )
    scheduler_workers: int = Field(
        16,
        ge=1,
        description="threads firing a claimed batch: its chunks of 500 cases side by side, and "
        "its store-changing timeouts one by one beside them",
    )
