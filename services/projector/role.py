"""The projector as a background role of `redress serve` (see services/entrypoints/roles.py)."""

from __future__ import annotations

from contextlib import ExitStack

from prometheus_client import Counter

from projections.projector import Projector
from projections.registry import PROJECTIONS
from services.projector.bootstrap import plumbing
from services.projector.settings import ProjectorSettings
from services.scheduler.bootstrap import wakeup_for
from services.settings import Settings

APPLIED = Counter("redress_projector_events", "Events the projector applied to the read models")


def projector(settings: ProjectorSettings, stack: ExitStack) -> Projector:
    """A projector over every read model; `stack` closes its connections."""
    wired = stack.enter_context(plumbing(settings))
    return Projector(
        wired.engine,
        wired.app,
        PROJECTIONS,
        batch=settings.projector_batch,
        interval=settings.projector_interval,
        on_applied=APPLIED.inc,
    )


class ProjectorRole:
    name = "projector"

    def __init__(self, settings: Settings) -> None:
        self.settings = ProjectorSettings(**settings.model_dump())
        self._stack = ExitStack()
        self._projector: Projector | None = None

    def start(self) -> None:
        self._projector = projector(self.settings, self._stack)
        # Woken by the NOTIFY each commit of the log sends (PostgreSQL; on SQLite, by this
        # process's own writes): the lag is a commit's, not a poll interval's.
        wakeup = wakeup_for(self.settings, self._projector.app)
        wakeup.start(self._projector.wake)
        self._stack.callback(wakeup.stop)
        self._projector.start()

    def stop(self, timeout: float = 25.0) -> None:
        if self._projector is not None:
            self._projector.stop(timeout)
        self._stack.close()
