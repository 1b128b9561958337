"""The checkpointer as a background role: inside `redress serve`, and inside each `redress
notifier` process in production (services.entrypoints.notifier_cli), any number of them on
PostgreSQL.

One thread: a round (follow the log, sign what is due, bring the file up to date), then a pause
of `audit_checkpoint_poll` seconds (longer after failures). Without
`REDRESS_AUDIT_SIGNING_KEY` the role does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

from services.application import Redress
from services.audit import publish
from services.audit.checkpointer import Checkpointer
from services.audit.settings import AuditSettings
from services.audit.signing import Signer
from services.bootstrap import open_redress
from services.db import sync_engine
from services.settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def checkpointer(settings: AuditSettings, app: Redress, clock: Clock) -> Checkpointer | None:
    """The composition root of a checkpointer (None: no signing key, no checkpoints)."""
    if not settings.audit_signing_key:
        return None
    return Checkpointer(
        app,
        sync_engine(settings),
        Signer.of(settings.audit_signing_key),
        clock,
        every=settings.audit_checkpoint_every,
        interval=timedelta(seconds=settings.audit_checkpoint_interval),
    )


class CheckpointRole:
    name = "checkpointer"

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = AuditSettings.of(settings)
        self.clock = clock
        self.rounds = 0
        self._stack = ExitStack()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpointer: Checkpointer | None = None

    def start(self) -> None:
        if not self.settings.audit_signing_key:
            log.info("checkpointer: REDRESS_AUDIT_SIGNING_KEY unset; no checkpoints are signed")
            return
        app = open_redress(self.settings)
        self._stack.callback(app.close)
        self.checkpointer = checkpointer(self.settings, app, self.clock)
        assert self.checkpointer is not None
        self._stack.callback(self.checkpointer.engine.dispose)
        self._thread = threading.Thread(target=self._run, name="checkpointer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 25.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._stack.close()

    def run_once(self) -> int:
        """One round: the checkpoints signed (each logged), then the file brought up to date."""
        assert self.checkpointer is not None
        made = self.checkpointer.run()
        for checkpoint in made:
            log.info(
                "checkpoint signed at position %d over %d chains: root %s",
                checkpoint["position"],
                checkpoint["chains"],
                checkpoint["root"],
            )
        if self.settings.audit_checkpoint_file is not None:
            publish.append_to_file(self.checkpointer.engine, self.settings.audit_checkpoint_file)
        return len(made)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self.run_once()
                failures = 0
            except Exception:  # a round failed (the database away?): log, pause, again
                failures += 1
                log.exception("checkpointer: round failed (%d in a row)", failures)
            self.rounds += 1
            pause = self.settings.audit_checkpoint_poll
            self._stopping.wait(min(30.0, pause * 2.0**failures) if failures else pause)
