"""The scheduler process's composition root."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.postgres import PostgresApplicationRecorder

from domain.money import ExchangeRates
from services.application import Redress
from services.db import sync_engine
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper
from services.scheduler.wakeup import IN_PROCESS, PostgresWakeup, Wakeup


@contextmanager
def sweeper(settings: SchedulerSettings) -> Iterator[Sweeper]:
    """A sweeper on the configured database; its connections are closed afterwards."""
    app = Redress(env=settings.eventsourcing_env(), rates=ExchangeRates(settings.exchange_rates))
    engine = sync_engine(settings)
    try:
        yield Sweeper(app, engine, batch=settings.scheduler_batch)
    finally:
        engine.dispose()
        app.close()


def wakeup_for(settings: SchedulerSettings, app: Redress) -> Wakeup:
    """LISTEN/NOTIFY on PostgreSQL; on SQLite, the in-process bell."""
    if isinstance(app.recorder, PostgresApplicationRecorder):
        conninfo = "postgresql://" + settings.database_url.split("://", 1)[1]
        return PostgresWakeup(conninfo, app.recorder.channel_name)
    return IN_PROCESS
