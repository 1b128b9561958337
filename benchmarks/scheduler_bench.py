"""Scheduler quality bars (issue 4), each beside a baseline measured in the same run:

- 10,000 deadlines due at once are cleared in <= 1.5 s (issue 18; baseline: the library's own
  get + change + save of 10,000 one-event aggregates from one thread: the floor of a timeout),
  by one scheduler in this process or by two replicas in processes of their own, as the e2e
  fleet runs them (the figure is the faster; both are reported);
- with 1,000,000 pending deadlines the scheduler's peak RSS stays <= 200 MB and does not grow
  with the count (baseline: the same run-due over 10,000 pending);
- lateness p99 <= 1 s at 100 deadlines due per second, seen from outside the scheduler
  (baseline: the observer's own polling period).

python -m benchmarks --only scheduler, or python -m benchmarks.scheduler_bench [--only clear]
(`--only` takes any of clear, memory, lateness: while iterating on one figure).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import orjson
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.harness import (
    ROOT,
    VENV_BIN,
    Figure,
    collector_of_a_role,
    fresh_database,
    libpq_url,
    percentile,
    process_cpu,
)
from benchmarks.request_cpu import _cpu_seconds
from benchmarks.tails import _postgres_pids
from domain.actors import Actor, By
from domain.calendar import BusinessCalendar
from domain.case import Case
from domain.filing import Order
from services.db import migrate
from services.scheduler import bootstrap
from services.scheduler.settings import SchedulerSettings

SECTION = "scheduler"
CONSUMER, ADMIN = Actor("consumer", "bench"), Actor("admin", "bench")
DECISION = timedelta(hours=48)  # globalbuy: a silent merchant's request is approved after 48 h
POLL = 0.02


# -- seeding -----------------------------------------------------------------------------------


@contextmanager
def database() -> Iterator[SchedulerSettings]:
    with fresh_database("sched") as url:
        settings = SchedulerSettings(database_url=url)
        migrate(settings)
        yield settings


def seed(settings: SchedulerSettings, due: list[datetime]) -> None:
    """One globalbuy case per instant, whose merchant-decision deadline falls due then."""
    with bootstrap.sweeper(settings) as sweeper:
        app = sweeper.app
        app.register_store(
            By.at(ADMIN, datetime(2025, 1, 1, tzinfo=UTC)),
            store_id="gb-1",
            platform="globalbuy",
            name="bench",
            certified=False,
            country="CN",
            timezone="Asia/Shanghai",
        )
        policy, calendar = app.policies["globalbuy"], BusinessCalendar("CN", "Asia/Shanghai")
        for start in range(0, len(due), 250):  # many aggregates per save: one lock, one commit
            cases = []
            for at in due[start : start + 250]:
                submitted = at - DECISION
                order = Order("o", Decimal("10"), "CNY", completed_at=submitted - timedelta(1))
                cases.append(
                    Case.submit(
                        policy,
                        By.at(CONSUMER, submitted),
                        store_id="gb-1",
                        consumer_id=CONSUMER.id,
                        kind="return_request",
                        order=order,
                        description="bench",
                        calendar=calendar,
                        certified=False,
                    )
                )
            app.save(*cases)
        sweeper.catch_up()
    # A live index has statistics (autovacuum keeps them); one filled a moment ago has none
    # yet, and without them PostgreSQL plans a claim as if few rows were due: it sorts all
    # of them rather than walk the index in the claim's order and stop at a batch.
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as db:
        db.execute("ANALYZE scheduled_deadlines")


# -- 10,000 due at once ------------------------------------------------------------------------


class Thing(Aggregate):
    @event("Made")
    def __init__(self) -> None:
        self.count = 0

    @event("Touched")
    def touch(self) -> None:
        self.count += 1


def library_get_save(settings: SchedulerSettings, count: int) -> float:
    """Seconds for the library to get, change and save `count` aggregates from one thread."""
    # The library's own application, on tables of its own making (Redress's are migrated).
    env = {**settings.eventsourcing_env(), "CREATE_TABLE": "y"}
    app: Application[UUID] = Application(env=env)
    things = [Thing() for _ in range(count)]
    for start in range(0, count, 250):
        app.save(*things[start : start + 250])
    started = time.perf_counter()
    for thing in things:
        found: Thing = app.repository.get(thing.id)
        found.touch()
        app.save(found)
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def clear_due_at_once(count: int = 10_000, replicas: int = 2) -> Figure:
    """The sweep of one scheduler in this process, and then the same due set on a fresh
    database shared by `replicas` schedulers, each in a process of its own (the e2e fleet runs
    two): the figure is the faster of the two, as the rebuild's is of its process counts. The
    CPU the replicas and PostgreSQL spent is reported beside it: on a machine of N cores no
    number of replicas clears the set in less than that CPU divided by N."""
    now = datetime.now(UTC)
    with database() as settings:
        seed(settings, [now - timedelta(minutes=5)] * count)
        with bootstrap.sweeper(settings) as sweeper, collector_of_a_role():
            started = time.perf_counter()
            report = sweeper.run_due(now)
            alone = time.perf_counter() - started
        assert report.fired == count, report
        floor = library_get_save(settings, count)
    with database() as settings:
        seed(settings, [now - timedelta(minutes=5)] * count)
        shared = _cleared_by_replicas(settings, now, replicas, count)
    elapsed = min(alone, shared.seconds)
    return Figure(
        SECTION,
        f"clear {count:,} deadlines due at once",
        elapsed,
        "s",
        baseline=f"library get+save ×{count:,}",
        baseline_value=floor,
        target="<= 1.5 s",
        met=elapsed <= 1.5,
        extra={
            "per s": count / elapsed,
            "one scheduler, s": alone,
            f"{replicas} replicas (a process each), s": shared.seconds,
            f"{replicas} replicas: their CPU, s": shared.replicas_cpu,
            f"{replicas} replicas: PostgreSQL's CPU, s": shared.postgres_cpu,
            "cores": os.cpu_count() or 1,
        },
    )


@dataclass(frozen=True)
class Shared:
    seconds: float
    replicas_cpu: float
    postgres_cpu: float


def _cleared_by_replicas(
    settings: SchedulerSettings, now: datetime, replicas: int, count: int
) -> Shared:
    """From the moment `replicas` schedulers, set up and waiting, are told to sweep until the
    last of them has nothing left (their start-up is not counted), with the CPU spent."""
    context = multiprocessing.get_context("spawn")
    ready, go, leave = context.Semaphore(0), context.Event(), context.Event()
    reports = context.Queue()
    processes = [
        context.Process(
            target=_replica, args=(settings.database_url, now, ready, go, leave, reports)
        )
        for _ in range(replicas)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            assert ready.acquire(timeout=120), "a replica did not start"
        postgres = _postgres_pids()  # the replicas' connections are open: their backends count
        before = _cpu_seconds(postgres)
        started = time.time()
        go.set()
        done = [reports.get(timeout=600) for _ in processes]
        postgres_cpu = _cpu_seconds(postgres) - before  # before the replicas disconnect
    finally:
        leave.set()
        for process in processes:
            process.join(60)
    assert sum(fired for fired, _ended, _cpu in done) == count, done
    return Shared(
        seconds=float(max(ended for _fired, ended, _cpu in done)) - started,
        replicas_cpu=float(sum(cpu for _fired, _ended, cpu in done)),
        postgres_cpu=postgres_cpu,
    )


def _replica(url: str, now: datetime, ready: Any, go: Any, leave: Any, reports: Any) -> None:
    """One scheduler replica in its own process: set up, then one sweep once told to go;
    reports what it fired, when it ended (wall clock: the processes share it) and the CPU the
    sweep took, and keeps its connections until told to leave."""
    with (
        bootstrap.sweeper(SchedulerSettings(database_url=url)) as sweeper,
        collector_of_a_role(),
    ):
        ready.release()
        go.wait()
        before = process_cpu(os.getpid())
        report = sweeper.run_due(now)
        reports.put((report.fired, time.time(), process_cpu(os.getpid()) - before))
        leave.wait(600)


# -- memory with 1,000,000 pending -------------------------------------------------------------


def pad_index(settings: SchedulerSettings, count: int) -> None:
    """Pending deadlines far in the future, written straight into the index (fast to make;
    the scheduler reads them exactly as if the log had put them there)."""
    url = libpq_url(settings.database_url)
    with psycopg.connect(url) as db, db.cursor() as cursor:
        due = datetime(2100, 1, 1, tzinfo=UTC)
        with cursor.copy(
            "COPY scheduled_deadlines (case_id, deadline_id, kind, due_at, action) FROM STDIN"
        ) as copy:
            for _ in range(count):
                copy.write_row(
                    (str(uuid4()), "merchant_decision-1", "merchant_decision", due, "auto_approve")
                )


def run_due_peak_rss(pending: int, due: int = 1_000) -> float:
    """Peak RSS (MB) of `redress scheduler run-due` firing `due` over `pending` others."""
    now = datetime.now(UTC)
    with database() as settings:
        seed(settings, [now - timedelta(minutes=5)] * due)
        pad_index(settings, pending)
        env = {**os.environ, "REDRESS_DATABASE_URL": settings.database_url}
        command = [str(VENV_BIN / "redress"), "scheduler", "run-due", "--now", now.isoformat()]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        output = process.stdout.read().decode() if process.stdout else ""
        assert process.returncode == 0 and output.strip() == f"fired {due}", output
    return usage.ru_maxrss / 1024


def memory_with_a_million_pending() -> Figure:
    small, large = run_due_peak_rss(10_000), run_due_peak_rss(1_000_000)
    return Figure(
        SECTION,
        "peak RSS of run-due with 1,000,000 pending",
        large,
        "MB",
        baseline="10,000 pending",
        baseline_value=small,
        target="<= 200 MB, flat",
        met=large <= 200 and large <= small * 1.2,
    )


# -- lateness at 100 due per second ------------------------------------------------------------


def observe(url: str, expected: int, stop: threading.Event) -> list[float]:
    """Poll the log for the scheduler's events; lateness = when we saw one - its due_at."""
    lateness: list[float] = []
    last = 0
    with psycopg.connect(url, autocommit=True) as db:
        while len(lateness) < expected and not stop.is_set():
            rows = db.execute(
                "SELECT notification_id, state FROM redress_events WHERE notification_id > %s"
                " AND topic = 'domain.case_events:AutoApproved' ORDER BY notification_id",
                (last,),
            ).fetchall()
            seen = datetime.now(UTC)
            for notification_id, state in rows:
                occurred = orjson.loads(state)["occurred_at"]["_data_"]
                lateness.append((seen - datetime.fromisoformat(occurred)).total_seconds())
                last = notification_id
            time.sleep(POLL)
    return lateness


def lateness_at_100_per_second(seconds: int = 20, rate: int = 100) -> Figure:
    first = datetime.now(UTC) + timedelta(seconds=15)
    due = [first + timedelta(seconds=i / rate) for i in range(seconds * rate)]
    with database() as settings:
        seed(settings, due)
        url = libpq_url(settings.database_url)
        env = {**os.environ, "REDRESS_DATABASE_URL": settings.database_url}
        with open(ROOT / "benchmarks" / "results" / "scheduler.log", "wb") as log:
            scheduler = subprocess.Popen(
                [str(VENV_BIN / "redress"), "scheduler"], env=env, stdout=log, stderr=log
            )
            stop = threading.Event()
            timer = threading.Timer(seconds + 60, stop.set)
            timer.start()
            try:
                lateness = observe(url, len(due), stop)
            finally:
                timer.cancel()
                scheduler.send_signal(signal.SIGTERM)
                scheduler.wait(60)
    assert len(lateness) == len(due), f"saw {len(lateness)} of {len(due)}"
    p99 = percentile(lateness, 99)
    return Figure(
        SECTION,
        f"lateness p99 at {rate} due/s",
        p99,
        "s",
        baseline="observer poll period",
        baseline_value=POLL,
        target="<= 1 s",
        met=p99 <= 1.0,
        extra={"p50": percentile(lateness, 50), "max": max(lateness)},
    )


FIGURES: dict[str, Callable[[], Figure]] = {
    "clear": clear_due_at_once,
    "memory": memory_with_a_million_pending,
    "lateness": lateness_at_100_per_second,
}


def run(only: Iterable[str] = FIGURES) -> list[Figure]:
    return [FIGURES[name]() for name in only]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only", default=",".join(FIGURES), help="comma-separated: " + ", ".join(FIGURES)
    )
    for figure in run(name for name in parser.parse_args().only.split(",") if name):
        print(figure)
