"""The long-running roles that `redress serve` runs beside the API: in its one process, or
with `--workers N` all together in one more process beside the N API processes (`roles_process`).

Each role module provides a `Role`: started before the API serves, stopped (drained) after
it. In production each role runs as its own process instead (`redress scheduler`, ...).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Protocol

from services.collector import freeze_startup
from services.settings import Settings

log = logging.getLogger(__name__)


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
    internal = (
        serve_in_thread(internal_app(), "0.0.0.0", settings.metrics_port)
        if settings.metrics_port
        else None
    )
    try:
        until_signalled(role, banner)
    finally:
        if internal is not None:
            internal.stop()


def until_signalled(role: Role, banner: str | None = None) -> None:
    """Start `role`, then wait for SIGTERM or SIGINT, and drain it."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    role.start()
    freeze_startup()
    if banner is not None:
        print(banner, flush=True)
    try:
        stop.wait()
    finally:
        role.stop()


def roles_process() -> None:
    """The child of `redress serve --workers N` that runs every background role while its
    siblings serve the API (services.entrypoints.api_workers supervises them all).

    Its settings come from the environment, as the API workers' do. It serves no port: the
    supervisor serves the internal one, where these roles' metrics are summed with the
    workers'. SIGTERM drains the roles. On SQLite the API's commits, made in other processes,
    wake the roles through the file (`ring_on_commits`). Roles that cannot be set up or
    started end the process with uvicorn's start-up failure code, on which the supervisor
    stops everything, as it does when an API worker cannot start (and as a one-process
    `serve` stops): started again, they would fail again. Once they run, only a signal ends
    the wait, and the supervisor restarts nothing while it stops."""
    from uvicorn.config import STARTUP_FAILURE

    from services.entrypoints.api_workers import end_with_parent
    from services.observability import configure_logging
    from services.scheduler.bootstrap import ring_on_commits

    end_with_parent()
    settings = Settings()
    configure_logging(settings.log_level)
    # The roles follow the log and catch up in batches; the API answers people. Under a
    # burst the kernel gives the API's processes the cores first (README: Deploy and operate).
    os.nice(settings.roles_nice)
    try:
        roles = Together(*background_roles(settings))
        with ring_on_commits(settings):
            until_signalled(roles, f"background roles ({roles.name}) in process {os.getpid()}")
    except Exception:
        log.exception("the background roles could not run")
        raise SystemExit(STARTUP_FAILURE) from None
