"""The scheduler process's composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.application import Application

from services.application import Redress
from services.bootstrap import open_redress
from services.db import sync_engine
from services.eventstore.application import EventStoreApplication
from services.eventstore.subject_keys import SUBJECT_KEYS_UNSEAL
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper
from services.scheduler.wakeup import IN_PROCESS, PostgresWakeup, SqliteWakeup, Wakeup
from services.settings import Settings


@contextmanager
def sweeper(settings: SchedulerSettings) -> Iterator[Sweeper]:
    """A sweeper on the configured database; its connections are closed afterwards."""
    app = open_application(settings, unseal=False)  # deadlines read no personal text
    engine = sync_engine(settings, app.connection_pool)
    swept = Sweeper(app, engine, batch=settings.scheduler_batch, workers=settings.scheduler_workers)
    try:
        yield swept
    finally:
        swept.close()
        engine.dispose()
        app.close()


def open_application(settings: SchedulerSettings, *, unseal: bool = True) -> Redress:
    """The application, with room in the process's psycopg pool for every firing thread (each
    reads its cases), beside the group commit's writer, the claim's transaction and the index
    following the firings (SQLAlchemy borrows those two). `unseal=False`: personal data is not
    unsealed (no key lookups) for a role that reads none."""
    env = {SUBJECT_KEYS_UNSEAL: "yes" if unseal else "no"}
    if not settings.is_sqlite:
        env["POSTGRES_POOL_SIZE"] = str(max(settings.db_pool_size, settings.scheduler_workers + 3))
    return open_redress(settings, env)


def wakeup_for(settings: Settings, app: Application[Any]) -> Wakeup:
    """LISTEN/NOTIFY on PostgreSQL, over the session URL (a transaction pooler would hand the
    LISTEN to a server connection another client gets next); on SQLite, the in-process bell
    (rung by this process's writers, or by `ring_on_commits`)."""
    channel = app.notify_channel() if isinstance(app, EventStoreApplication) else None
    if channel is not None:
        conninfo = "postgresql://" + settings.session_url.split("://", 1)[1]
        return PostgresWakeup(conninfo, channel)
    return IN_PROCESS


@contextmanager
def ring_on_commits(settings: Settings) -> Iterator[SqliteWakeup | None]:
    """For a process whose roles must hear writers of other processes (the roles process of
    `redress serve --workers N`): on SQLite, while the block runs, every commit to the file
    rings the in-process bell the roles' `wakeup_for` gives them (yields the watcher); on
    PostgreSQL nothing is needed, LISTEN hears every process (yields None)."""
    if not settings.is_sqlite:
        yield None
        return
    watcher = SqliteWakeup(settings.sqlite_path)
    watcher.start(IN_PROCESS.ring)
    try:
        yield watcher
    finally:
        watcher.stop()
