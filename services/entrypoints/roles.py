"""The long-running roles that `redress serve` runs beside the API, in one process.

Each role module provides a `Role`: started before the API serves, stopped (drained) after
it. In production each role runs as its own process instead (`redress scheduler`, ...).
"""

from __future__ import annotations

import signal
import threading
from typing import Protocol

from services.settings import Settings


class Role(Protocol):
    name: str

    def start(self) -> None:
        """Begin work in background threads; return at once."""

    def stop(self, timeout: float = 25.0) -> None:
        """Finish or release claimed work, then return."""


def background_roles(settings: Settings) -> list[Role]:
    """Every role `serve` runs in-process (each role module registers itself here)."""
    from services.audit.role import CheckpointRole
    from services.notifier.runner import NotifierRole
    from services.projector.role import ProjectorRole
    from services.scheduler.role import SchedulerRole
    from services.translator.role import TranslatorRole

    return [
        ProjectorRole(settings),
        SchedulerRole(settings),
        NotifierRole(settings),
        TranslatorRole(settings),
        CheckpointRole(settings),
    ]


class Together:
    """Several roles as one process (`redress notifier` also signs checkpoints)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles
        self.name = "+".join(role.name for role in roles)

    def start(self) -> None:
        for role in self.roles:
            role.start()

    def stop(self, timeout: float = 25.0) -> None:
        for role in reversed(self.roles):
            role.stop(timeout)


def run_until_signalled(role: Role, settings: Settings, banner: str) -> None:
    """A role as its own process: JSON logs, optional internal port (/metrics and /healthz for
    probes), and SIGTERM drains it."""
    from services.internal_http import internal_app, serve_in_thread
    from services.observability import configure_logging

    configure_logging(settings.log_level)
    if settings.metrics_port:
        serve_in_thread(internal_app(), "0.0.0.0", settings.metrics_port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    role.start()
    print(banner, flush=True)
    try:
        stop.wait()
    finally:
        role.stop()
