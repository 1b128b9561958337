"""Two small measurements behind docs/capacity.md (not part of `make bench`):

- bytes on disk per stored event and per case in the read models: demo cases
  (services.entrypoints.demo) filed into a fresh database, the read models rebuilt, the
  tables' total sizes divided;
- commits per second through one exclusively locked table, the event log's insert path
  (LOCK TABLE … IN EXCLUSIVE MODE, INSERT, COMMIT) from 8 threads, by rows per transaction:
  the one part of the write path that does not grow with more processes.

    python -m benchmarks.capacity_probe postgresql://postgres@127.0.0.1:5432/postgres [CASES]

It creates and drops a database of its own on that server.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from services.bootstrap import open_redress
from services.entrypoints.demo import seed
from services.settings import Settings
from tests.support.postgres import fresh_database

REDRESS = Path(sys.executable).with_name("redress")
READ_MODELS = ("case_list", "case_stats", "pending_deadlines")
THREADS, SECONDS, PAYLOAD = 8, 5.0, b"x" * 800  # about a stored event's state


def sizes(url: str, cases: int) -> None:
    env = {"REDRESS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    subprocess.run([str(REDRESS), "migrate"], env=env, check=True, capture_output=True)
    settings = Settings(database_url=url)
    app = open_redress(settings)
    try:
        seed(app, datetime.now(UTC), cases=cases, rng=random.Random(7))
    finally:
        app.close()
    rebuild = [str(REDRESS), "projections", "rebuild"]
    subprocess.run(rebuild, env=env, check=True, capture_output=True)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
        row = db.execute(
            "SELECT count(*), count(DISTINCT originator_id), avg(pg_column_size(state)),"
            " pg_total_relation_size('redress_events') FROM redress_events"
        ).fetchone()
        assert row is not None
        events, aggregates, state, total = row
        print(
            f"{events} events of {aggregates} aggregates: state {state:.0f} B on average, "
            f"{total / events:.0f} B per event with the table's indexes"
        )
        for table in READ_MODELS:
            found = db.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()
            assert found is not None
            print(f"{table}: {found[0] / cases:.0f} B per case")


def locked_commits(url: str, rows: int) -> float:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS lock_probe")
        db.execute("CREATE TABLE lock_probe (id bigserial PRIMARY KEY, state bytea)")
    written = [0] * THREADS
    stop = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        with psycopg.connect(url) as db:
            while time.monotonic() < stop:
                with db.transaction(), db.cursor() as cursor:
                    cursor.execute("LOCK TABLE lock_probe IN EXCLUSIVE MODE")
                    cursor.executemany(
                        "INSERT INTO lock_probe (state) VALUES (%s)", [(PAYLOAD,)] * rows
                    )
                written[n] += rows

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(written) / SECONDS


def main() -> None:
    server, cases = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with fresh_database(server) as url:
        sizes(url, cases)
        for rows in (1, 10):
            rate = locked_commits(url, rows)
            print(f"locked log, {rows} row(s) per commit: {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
