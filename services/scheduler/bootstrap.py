"""The scheduler process's composition root."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import InternalError
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.money import ExchangeRates
from services.application import Redress
from services.db import sync_engine
from services.projector.bootstrap import TRANSCODER
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper
from services.scheduler.wakeup import IN_PROCESS, Backoff, PostgresWakeup, Wakeup
from services.settings import Settings

log = logging.getLogger(__name__)
START_ATTEMPTS = 5


@contextmanager
def sweeper(settings: SchedulerSettings) -> Iterator[Sweeper]:
    """A sweeper on the configured database; its connections are closed afterwards."""
    app = open_application(settings)
    engine = sync_engine(settings, app.connection_pool)
    swept = Sweeper(app, engine, batch=settings.scheduler_batch, workers=settings.scheduler_workers)
    try:
        yield swept
    finally:
        swept.close()
        engine.dispose()
        app.close()


def open_application(settings: SchedulerSettings, backoff: Backoff = Backoff()) -> Redress:
    """The application, retried a few times: replicas starting together on PostgreSQL race on
    the library's start-up DDL (`CREATE OR REPLACE FUNCTION` → "tuple concurrently updated")."""
    attempt = 0
    while True:
        try:
            return Redress(
                env=_event_store_env(settings),
                rates=ExchangeRates(settings.exchange_rates),
                policies=settings.policy_book(),
            )
        except InternalError as error:
            attempt += 1
            if attempt == START_ATTEMPTS:
                raise
            log.warning("event store not ready (%s); retrying", error)
            time.sleep(backoff.delay(attempt))


def _event_store_env(settings: SchedulerSettings) -> dict[str, str]:
    """Room in the process's psycopg pool for every firing thread (each reads its cases),
    beside the group commit's writer and the claim's transaction (SQLAlchemy borrows it)."""
    # Decoding with orjson (the stored format is the library's, unchanged): a sweep reads every
    # case it fires and every event the firings wrote.
    env = {**settings.eventsourcing_env(), "TRANSCODER_TOPIC": TRANSCODER}
    if not settings.is_sqlite:
        env["POSTGRES_POOL_SIZE"] = str(max(settings.db_pool_size, settings.scheduler_workers + 2))
    return env


def wakeup_for(settings: Settings, app: Application[Any]) -> Wakeup:
    """LISTEN/NOTIFY on PostgreSQL, over the session URL (a transaction pooler would hand the
    LISTEN to a server connection another client gets next); on SQLite, the in-process bell."""
    if isinstance(app.recorder, PostgresApplicationRecorder):
        conninfo = "postgresql://" + settings.session_url.split("://", 1)[1]
        return PostgresWakeup(conninfo, app.recorder.channel_name)
    return IN_PROCESS
