"""The machine's bounds, measured in the same run as everything compared with them."""

from __future__ import annotations

import asyncio
import threading
import time
from uuid import uuid4

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.harness import Figure, fresh_database
from services.settings import Settings

SECONDS = 8.0


async def _asyncpg_inserts(url: str, connections: int, seconds: float) -> float:
    """Single-row INSERT commits/s on `connections` connections: the physical bound."""
    setup = await asyncpg.connect(url)
    await setup.execute("CREATE TABLE bench_rows (id uuid PRIMARY KEY, body text)")
    await setup.close()
    pool = await asyncpg.create_pool(url, min_size=connections, max_size=connections)
    done = 0
    stop_at = time.perf_counter() + seconds

    async def writer() -> None:
        nonlocal done
        async with pool.acquire() as connection:
            while time.perf_counter() < stop_at:
                await connection.execute(
                    "INSERT INTO bench_rows VALUES ($1, $2)", uuid4(), "x" * 200
                )
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return done / elapsed


class Thing(Aggregate):
    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name


def library_save_rate(url: str, threads: int = 8, seconds: float = SECONDS) -> float:
    """The eventsourcing library's own `Application.save` of a one-event aggregate."""
    env = Settings(database_url=url, db_pool_size=threads).eventsourcing_env()
    env.pop("APPLICATION_RECORDER_TOPIC")  # the library's own recorder, not Redress's
    app: Application = Application(env={**env, "CREATE_TABLE": "y"})
    done = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def writer() -> None:
        nonlocal done
        count = 0
        while time.perf_counter() < stop_at:
            app.save(Thing(name="x"))
            count += 1
        with lock:
            done += count

    started = time.perf_counter()
    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    app.close()
    return done / elapsed


def run() -> list[Figure]:
    with fresh_database() as url:
        raw = asyncio.run(_asyncpg_inserts(url, 8, SECONDS))
    with fresh_database() as url:
        library = library_save_rate(url)
    return [
        Figure("baselines", "asyncpg single-row INSERT commits, 8 connections", raw, "rows/s"),
        Figure(
            "baselines",
            "eventsourcing Application.save, 1-event aggregate, 8 threads",
            library,
            "saves/s",
        ),
    ]
