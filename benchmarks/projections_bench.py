"""Projection quality bars (issue 5), each beside a baseline measured in the same run:

- `redress projections rebuild` at >= 20,000 events/s on PostgreSQL (baseline: reading and
  decoding the same log without applying it, the floor of any rebuild);
- projector lag p99 <= 500 ms at 300 commands/s: from a command's commit to the moment the
  read models' tracked position covers it, seen from outside the projector (baseline: the
  observer's own polling period).

python -m benchmarks --only projections, or python -m benchmarks.projections_bench
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg

from benchmarks.harness import ROOT, VENV_BIN, Figure, fresh_database, libpq_url, percentile
from domain.actors import Actor, By
from domain.calendar import BusinessCalendar
from domain.case import Case
from domain.filing import Order
from projections.registry import PROJECTIONS
from projections.tracking import read_batch
from services.application import Redress
from services.bootstrap import open_redress
from services.db import migrate
from services.projector.bootstrap import plumbing
from services.projector.parallel import rebuild_side_by_side
from services.settings import Settings

SECTION = "projections"
EVENTS = int(os.environ.get("REDRESS_BENCH_PROJECTION_EVENTS", "200000"))
RATE, SECONDS, POLL = 1000, 20.0, 0.005
SENDERS = 8  # threads offering the commands (their saves share commits: the group commit)
CONSUMER, STORE, ADMIN = Actor("consumer", "bench"), Actor("store", "shop"), Actor("admin", "b")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
CALENDAR = BusinessCalendar("GB", "Europe/London")


@contextmanager
def database() -> Iterator[Settings]:
    with fresh_database("proj") as url:
        settings = Settings(database_url=url)
        migrate(settings)
        yield settings


def case_history(app: Redress, n: int, events: int = 4) -> Case:
    """A case with up to four events: filed, answered, a message, closed by the store."""
    policy = app.policies["biggrey"]
    at = T0 + timedelta(minutes=n)
    order = Order(f"o-{n}", Decimal("120.00"), "USD", delivered_at=at - timedelta(days=3))
    case = Case.submit(
        policy,
        By.at(CONSUMER, at),
        store_id=f"shop-{n % 50}",
        consumer_id=f"c-{n}",
        kind="complaint",
        order=order,
        description="broken",
        calendar=CALENDAR,
        certified=True,
    )
    steps: list[Callable[[], None]] = [
        lambda: case.respond(policy, By.at(STORE, at + timedelta(hours=5)), "on it"),
        lambda: case.post_message(policy, By.at(CONSUMER, at + timedelta(hours=6)), "thanks"),
        lambda: case.store_close(policy, By.at(STORE, at + timedelta(hours=9)), "repair"),
    ]
    for step in steps[: events - 1]:
        step()
    return case


def seed(app: Redress, events: int) -> None:
    for n in range(50):
        app.register_store(
            By.at(ADMIN, T0),
            store_id=f"shop-{n}",
            platform="biggrey",
            name=f"Shop {n}",
            certified=True,
            country="GB",
            timezone="Europe/London",
        )
    cases = events // 4
    for start in range(0, cases, 250):
        app.save(*(case_history(app, n) for n in range(start, min(cases, start + 250))))


def read_rate(app: Redress) -> float:
    """Events/s reading and decoding the whole log without applying it."""
    logged = app.recorder.max_notification_id() or 0
    started, at = time.perf_counter(), 0
    while (read := read_batch(app, at, 2000)) is not None:
        at = read.last
    return logged / (time.perf_counter() - started)


def rebuild_figures(settings: Settings) -> list[Figure]:
    app = open_redress(settings)
    try:
        seed(app, EVENTS)
        logged = app.recorder.max_notification_id() or 0
        library_decoder = read_rate(app)
    finally:
        app.close()
    with plumbing(settings) as wired:  # what `redress projections rebuild` reads with
        floor = read_rate(wired.app)
    rates = {}
    for workers in (1, 2):  # as `redress projections rebuild --workers N` runs
        started = time.perf_counter()
        rebuild_side_by_side(settings, PROJECTIONS, lambda *_: None, workers=workers)
        rates[workers] = logged / (time.perf_counter() - started)
    one_process, rate = rates[1], rates[2]
    return [
        Figure(
            SECTION,
            f"`projections rebuild` of every read model ({logged:,} events)",
            max(rate, one_process),
            "events/s",
            baseline="read + decode the log only",
            baseline_value=floor,
            target=">= 0.97× read + decode",
            met=max(rate, one_process) >= 0.97 * floor,
            extra={
                "1 process, events/s": one_process,
                "2 processes, events/s": rate,
                "read + decode with the library's JSON decoder, events/s": library_decoder,
            },
        )
    ]


def lag_figures(settings: Settings) -> list[Figure]:
    """Commands at RATE/s for SECONDS while `redress projector` runs; an observer polls the
    tracked position and notes when each command's event became visible."""
    env = {**os.environ, "REDRESS_DATABASE_URL": settings.database_url}
    log = open(ROOT / "benchmarks" / "results" / "projector.log", "w")  # noqa: SIM115
    projector = subprocess.Popen(
        [str(VENV_BIN / "redress"), "projector"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    app = open_redress(settings)
    committed: list[tuple[int, float]] = []  # (notification id, when its save returned)
    visible: list[tuple[int, float]] = []  # (position, when the observer saw it)
    stop = threading.Event()
    observer = threading.Thread(target=observe, args=(settings, visible, stop), daemon=True)
    try:
        # Made before the clock starts: the offered rate is the saves', not the making's.
        cases = [case_history(app, 10_000_000 + n, events=1) for n in range(int(RATE * SECONDS))]
        time.sleep(3)  # the projector starts and catches up with the seed
        observer.start()
        started = time.perf_counter()
        senders = [
            threading.Thread(target=offer, args=(app, cases, started, k, committed))
            for k in range(SENDERS)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        offered = len(committed) / (time.perf_counter() - started)
        time.sleep(2)
    finally:
        stop.set()
        observer.join(10)
        projector.terminate()
        projector.wait(30)
        app.close()
    committed.sort()  # the senders append out of order
    lags, unseen = lags_of(committed, visible)
    assert len(lags) == len(committed), f"{len(lags)} lags for {len(committed)} commands"
    p99 = percentile(lags, 99) * 1000
    return [
        Figure(
            SECTION,
            f"projector lag p99 at {RATE} commands/s ({len(lags):,} commands)",
            p99,
            "ms",
            baseline="observer polling period",
            baseline_value=POLL * 1000,
            target="<= 100 ms at the offered rate",
            met=p99 <= 100 and unseen == 0 and offered >= 0.98 * RATE,
            extra={
                "achieved commands/s": offered,
                "p50 ms": percentile(lags, 50) * 1000,
                "max ms": max(lags) * 1000,
                "not seen before the observer stopped": unseen,
            },
        )
    ]


def offer(
    app: Redress, cases: list[Case], started: float, sender: int, committed: list[tuple[int, float]]
) -> None:
    """Every SENDERS-th command of the paced schedule, from this thread (open loop)."""
    for n in range(sender, len(cases), SENDERS):
        pause = started + n / RATE - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        recordings = app.save(cases[n])  # one command
        committed.append((max(r.notification.id for r in recordings), time.perf_counter()))


def observe(settings: Settings, seen: list[tuple[int, float]], stop: threading.Event) -> None:
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as connection:
        while not stop.is_set():
            row = connection.execute("SELECT min(position) FROM projection_positions").fetchone()
            seen.append((int(row[0] or 0) if row else 0, time.perf_counter()))
            time.sleep(POLL)


def lags_of(
    committed: list[tuple[int, float]], visible: list[tuple[int, float]]
) -> tuple[list[float], int]:
    """Each committed command's lag, and how many were never seen: those count at the
    observer's last look (a lower bound on their lag), so the slowest are never dropped."""
    lags, cursor, unseen = [], 0, 0
    last_look = visible[-1][1] if visible else 0.0
    for notification, at in committed:
        while cursor < len(visible) and visible[cursor][0] < notification:
            cursor += 1
        if cursor < len(visible):
            lags.append(max(0.0, visible[cursor][1] - at))
        else:
            lags.append(max(0.0, last_look - at))
            unseen += 1
    return lags, unseen


def run() -> list[Figure]:
    figures: list[Figure] = []
    with database() as settings:
        figures += rebuild_figures(settings)
    with database() as settings:
        figures += lag_figures(settings)
    return figures


def main() -> None:
    for figure in run():
        print(figure)


if __name__ == "__main__":
    main()
