"""Replicas and crashes on PostgreSQL: every deadline fires exactly once.

"Exactly once" is checked in the event log itself: one timeout event per deadline, whatever
the schedulers reported.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from support.scheduler_harness import Harness, local

from services.scheduler import bootstrap, index
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper, SweepReport

LONDON = "Europe/London"
SUBMITTED = local("2025-03-03 10:00", LONDON)
FIRST_RESPONSE = local("2025-03-06 00:00", LONDON)
REDRESS = Path(sys.executable).with_name("redress")


@pytest.fixture
def h(postgres_database: str) -> Iterator[Harness]:
    with Harness.open(postgres_database) as harness:
        yield harness


def timeout_events(url: str) -> dict[str, int]:
    """How many events of each type the schedulers wrote (actor `system`)."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT split_part(topic, ':', 2), count(*) FROM redress_events"
            " WHERE convert_from(state, 'UTF8')::jsonb -> 'actor' ->> 'role' = 'system'"
            " GROUP BY 1"
        ).fetchall()
    return dict(rows)


def test_two_schedulers_racing_over_1000_due_deadlines_fire_each_exactly_once(
    h: Harness, postgres_database: str
) -> None:
    h.store("biggrey")
    with ThreadPoolExecutor(8) as pool:  # concurrent saves share commits: a faster set-up
        cases = list(
            pool.map(lambda _: h.submit("biggrey", "warranty_claim", SUBMITTED), range(1000))
        )
    settings = SchedulerSettings(database_url=postgres_database, scheduler_batch=20)
    start, reports = threading.Barrier(2, timeout=60), list[SweepReport]()
    with bootstrap.sweeper(settings) as one, bootstrap.sweeper(settings) as two:

        def replica(sweeper: Sweeper) -> None:
            start.wait()
            reports.append(sweeper.run_due(FIRST_RESPONSE))

        threads = [threading.Thread(target=replica, args=(s,)) for s in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(r.fired for r in reports) == 1000
    assert [(r.ignored, r.failed) for r in reports] == [(0, 0), (0, 0)]  # none even tried twice
    assert timeout_events(postgres_database) == {"Reminded": 1000}
    assert {h.app.get_case(c)["reminders"] for c in cases[:: len(cases) // 10]} == {1}
    h.sweeper.catch_up()
    assert index.pending_count(h.sweeper.engine) == 1000  # each case's extra_time deadline


def test_a_scheduler_killed_mid_sweep_and_restarted_loses_nothing_and_doubles_nothing(
    h: Harness, postgres_database: str
) -> None:
    # Non-certified stores: ten reminders and day 30 per case, chained, all due at `until`.
    h.store("biggrey", certified=False)
    cases = [h.submit("biggrey", "complaint", SUBMITTED) for _ in range(60)]
    until = SUBMITTED + timedelta(days=40)
    env = {**os.environ, "REDRESS_DATABASE_URL": postgres_database, "REDRESS_SCHEDULER_BATCH": "20"}
    argv = [str(REDRESS), "scheduler", "run-due", "--now", until.isoformat()]

    # The events table's lock, held by the test, lets the scheduler's commits through one at a
    # time; once 100 events are in, it is killed while it waits to commit the next.
    with psycopg.connect(postgres_database) as gate:
        gate.execute("LOCK TABLE redress_events IN EXCLUSIVE MODE")
        doomed = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        waiting: set[int] = set()
        try:
            while True:
                waiting = _wait_for_a_lock_wait(postgres_database, doomed)
                if sum(timeout_events(postgres_database).values()) >= 100:
                    break
                gate.commit()  # one transaction through...
                gate.execute("LOCK TABLE redress_events IN EXCLUSIVE MODE")  # ...then none
            doomed.send_signal(signal.SIGKILL)
        finally:
            doomed.wait()
            gate.rollback()
            doomed.stdout.close()  # type: ignore[union-attr]
            doomed.stderr.close()  # type: ignore[union-attr]
    assert doomed.returncode == -signal.SIGKILL
    # The commit that waited is one statement in its own transaction: its backend, not yet
    # aware that its client is gone, may still commit it once the lock is free. Count after.
    _wait_for_backends_to_end(postgres_database, waiting)
    before_restart = sum(timeout_events(postgres_database).values())
    assert 100 <= before_restart < 60 * 11

    restarted = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    assert restarted.stdout.strip() == f"fired {60 * 11 - before_restart}"
    assert timeout_events(postgres_database) == {"Reminded": 600, "ConsumerCloseAllowed": 60}
    expected = h.events(cases[0])
    assert len(expected) == 12 and expected[-1][0] == "ConsumerCloseAllowed"
    for case_id in cases:
        assert h.events(case_id) == expected  # same times, no duplicate, no gap


def _wait_for_a_lock_wait(url: str, process: subprocess.Popen[bytes]) -> set[int]:
    """Until a session of this database waits for a lock (the scheduler, for the test's): the
    backend pids that wait."""
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as db:
        while not (
            waiting := {
                pid
                for (pid,) in db.execute(
                    "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = current_database()"
                )
            }
        ):
            assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the scheduler never waited for the lock"
            time.sleep(0.01)
    return waiting


def _wait_for_backends_to_end(url: str, pids: set[int]) -> None:
    """Until none of these backends is left (each ends once it finds its client gone)."""
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as db:
        while db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)]
        ).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, f"backends {pids} outlived their client"
            time.sleep(0.01)
