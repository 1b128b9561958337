"""The notifier process's composition root and its loops.

`Notifier.run_once` does everything due now and returns (tests drive it with an injected
clock); `Notifier.run` loops until stopped: one fan-out loop over the event log, a few claim
loops that deliver, and the mail loop. Only the outermost loop reads the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import uvloop
from eventsourcing.persistence import IntegrityError
from sqlalchemy import select, update

from services.bootstrap import open_redress
from services.db import async_engine, sync_engine
from services.notifier import metrics
from services.notifier.contact_hours import ContactHours
from services.notifier.delivery import Deliverer
from services.notifier.email import EmailComposer, SmtpServer
from services.notifier.fanout import FanOut
from services.notifier.notices import EndpointNotice
from services.notifier.outbox import Outbox
from services.notifier.retry import RetrySchedule
from services.notifier.sender import Sender
from services.notifier.settings import NotifierSettings
from services.notifier.signing import SecretBox
from services.notifier.ssrf import Guard, Resolver
from services.notifier.tables import utc, webhook_endpoints
from services.retention import Pruner
from services.settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def in_utc(clock: Clock) -> Clock:
    """Every instant the notifier stores is UTC (SQLite keeps no offset)."""

    def now() -> datetime:
        return clock().astimezone(UTC)

    return now


class Notifier:
    def __init__(
        self,
        settings: NotifierSettings,
        *,
        clock: Clock = utc_now,
        resolver: Resolver | None = None,
        schedule: RetrySchedule | None = None,
        worker: str | None = None,
    ) -> None:
        self.settings = settings
        self.clock = in_utc(clock)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"
        self.app = open_redress(settings)
        self.engine = sync_engine(settings, self.app.connection_pool)
        self.async_engine = async_engine(settings)
        self.sender = Sender(Guard(settings.allowed_hosts, resolver), settings.webhook_timeout)
        schedule = schedule or RetrySchedule()
        self.deliverer = Deliverer(
            self.async_engine,
            self.sender,
            SecretBox(settings.encryption_key),
            self.clock,
            self.worker,
            schedule=schedule,
            lease=timedelta(seconds=settings.notifier_lease),
            batch=settings.notifier_batch,
            concurrency=settings.notifier_concurrency,
        )
        composer, self.outbox = None, None
        if settings.smtp_url:
            translated = settings.translator != "none"
            composer = EmailComposer(
                settings.email_consumer_address,
                settings.email_store_address,
                self.app.preferred_languages if translated else None,
                settings.translation_wait,
                ContactHours(self.app),
            )
            self.outbox = Outbox(
                self.async_engine,
                SmtpServer.from_url(settings.smtp_url),
                settings.email_from,
                self.clock,
                self.worker,
                schedule=schedule,
                translations=self.app.translations_of if translated else None,
            )
        self.fanout = FanOut(self.app, self.clock, composer)
        self.pruner = Pruner(self.async_engine, settings.retention)

    async def aclose(self) -> None:
        await self.sender.aclose()
        await self.async_engine.dispose()
        self.engine.dispose()
        self.app.close()

    # -- one step each ---------------------------------------------------------------------

    def fan_out(self) -> int:
        read = self.fanout.run(self.engine)
        metrics.fanned_out.inc(read)
        return read

    async def emit_notices(self) -> int:
        """Record `webhook.endpoint_disabled` for every endpoint disabled since the last look."""
        endpoint = webhook_endpoints.c
        async with self.async_engine.connect() as connection:
            rows = list(
                await connection.execute(
                    select(webhook_endpoints).where(endpoint.notice_pending.is_(True))
                )
            )
        for row in rows:
            notice = EndpointNotice(
                endpoint_id=row.id,
                url=row.url,
                reason=row.disabled_reason or "disabled",
                store_ids=row.store_ids,
                owner={"role": row.owner_role, "id": row.owner_subject},
                failing_since=utc(row.failing_since),
                occurred_at=utc(row.disabled_at) or self.clock(),
            )
            # Recorded already before a crash: the owner is told once.
            with contextlib.suppress(IntegrityError):
                await asyncio.to_thread(self.app.save, notice)
            async with self.async_engine.begin() as connection:
                await connection.execute(
                    update(webhook_endpoints)
                    .where(endpoint.id == row.id, endpoint.disabled_at == row.disabled_at)
                    .values(notice_pending=False)
                )
        return len(rows)

    async def run_once(self) -> int:
        """Fan out, tell owners, deliver and mail everything due now; returns the attempts."""
        attempts = 0
        while True:
            read = await asyncio.to_thread(self.fan_out) + await self.emit_notices()
            made = 0
            while batch := await self.deliverer.run_batch():
                made += batch
            attempts += made
            if not read and not made:
                break
        while self.outbox is not None and await self.outbox.run_batch():
            pass
        return attempts

    # -- the loops -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: follow the log, deliver, mail. Claimed rows are given back."""
        work = asyncio.Condition()
        loops = self.settings.notifier_workers if not self.settings.is_sqlite else 1
        tasks = [asyncio.create_task(self._fan_out_loop(stop, work))]
        tasks += [asyncio.create_task(self._deliver_loop(stop, work)) for _ in range(loops)]
        if self.outbox is not None:
            tasks.append(asyncio.create_task(self._mail_loop(stop)))
        tasks.append(asyncio.create_task(self._prune_loop(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            await self.deliverer.release()

    async def _fan_out_loop(self, stop: asyncio.Event, work: asyncio.Condition) -> None:
        while not stop.is_set():
            try:
                read = await asyncio.to_thread(self.fan_out) + await self.emit_notices()
            except Exception:
                log.exception("fan-out failed; trying again shortly")
                read = 0
            if read:
                async with work:
                    work.notify_all()
            else:
                await self._sleep(stop, self.settings.notifier_poll_interval)

    async def _deliver_loop(self, stop: asyncio.Event, work: asyncio.Condition) -> None:
        while not stop.is_set():
            try:
                made = await self.deliverer.run_batch()
            except Exception:
                log.exception("delivery batch failed; its rows return when their lease ends")
                made = 0
            if not made:
                async with work:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            work.wait(), timeout=self.settings.notifier_poll_interval
                        )

    async def _mail_loop(self, stop: asyncio.Event) -> None:
        assert self.outbox is not None
        while not stop.is_set():
            try:
                sent = await self.outbox.run_batch()
            except Exception:
                log.exception("mail batch failed; its mails return when their lease ends")
                sent = 0
            if not sent:
                await self._sleep(stop, self.settings.notifier_poll_interval)

    async def _prune_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                pruned = await self.pruner.prune(self.clock())
            except Exception:
                log.exception("pruning expired rows failed; trying again next interval")
            else:
                for table, rows in pruned.items():
                    metrics.pruned.labels(table).inc(rows)
            await self._sleep(stop, self.settings.prune_interval)

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


class NotifierRole:
    """The notifier inside `redress serve`: its own event loop in a background thread."""

    name = "notifier"

    def __init__(self, settings: Settings) -> None:
        self.settings = NotifierSettings.of(settings)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failed: Exception | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="notifier", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise RuntimeError("the notifier could not start") from self._failed

    def stop(self, timeout: float = 25.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def _main(self) -> None:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(self._serve())

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        try:
            notifier = Notifier(self.settings)
        except Exception as failed:  # `start` raises it in the caller's thread
            self._failed = failed
            return
        finally:
            self._ready.set()
        try:
            await notifier.run(self._stop)
        finally:
            await notifier.aclose()
