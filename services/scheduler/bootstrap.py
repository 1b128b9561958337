"""The scheduler process's composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.application import Redress
from services.bootstrap import open_redress
from services.db import sync_engine
from services.eventstore.subject_keys import SUBJECT_KEYS_UNSEAL
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper
from services.scheduler.wakeup import IN_PROCESS, PostgresWakeup, Wakeup


@contextmanager
def sweeper(settings: SchedulerSettings) -> Iterator[Sweeper]:
    """A sweeper on the configured database; its connections are closed afterwards."""
    app = open_application(settings, unseal=False)  # deadlines read no personal text
    engine = sync_engine(settings)
    swept = Sweeper(app, engine, batch=settings.scheduler_batch, workers=settings.scheduler_workers)
    try:
        yield swept
    finally:
        swept.close()
        engine.dispose()
        app.close()


def open_application(settings: SchedulerSettings, *, unseal: bool = True) -> Redress:
    """The application, with room in the event store's pool for every firing thread (each
    reads its cases) beside the group commit's writer; the library's default overflow is 10.
    `unseal=False`: personal data is not unsealed (no key lookups) for a role that reads none."""
    env: dict[str, str] = {SUBJECT_KEYS_UNSEAL: "yes" if unseal else "no"}
    if not settings.is_sqlite:
        env["POSTGRES_MAX_OVERFLOW"] = str(max(10, settings.scheduler_workers))
    return open_redress(settings, env)


def wakeup_for(settings: SchedulerSettings, app: Redress) -> Wakeup:
    """LISTEN/NOTIFY on PostgreSQL, over the session URL (a transaction pooler would hand the
    LISTEN to a server connection another client gets next); on SQLite, the in-process bell."""
    if (channel := app.notify_channel()) is not None:
        conninfo = "postgresql://" + settings.session_url.split("://", 1)[1]
        return PostgresWakeup(conninfo, channel)
    return IN_PROCESS
