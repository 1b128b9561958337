"""A projector that dies mid-batch leaves no trace of that batch, and the next one converges:
each batch commits with its tracked position or not at all. On SQLite and PostgreSQL.

A real `redress projector` is caught inside a batch's transaction, not by timing: on PostgreSQL
it waits for a row lock the test holds, after writing part of the batch; on SQLite it is
stopped (SIGSTOP) at a moment it holds the write lock with work left, which only a batch's
transaction does. Then it is SIGKILLed, and a new `redress projector` process takes over."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from support.projection_workload import (
    busy_workload,
    catch_up,
    open_app,
    open_engine,
    projected,
    replayed,
)

from projections import case_stats
from projections.registry import NAMES, PROJECTIONS
from projections.tables import case_list, projection_positions
from projections.tables import case_stats as case_stats_table
from projections.tracking import Projection, follow, head
from services.application import Redress
from services.db import migrate
from services.settings import Settings

REDRESS = Path(sys.executable).with_name("redress")


class Crash(BaseException):
    """The process dying mid-batch. Not an Exception: one of those from a read model means an
    event it cannot take, which is parked (test_projections_parking), not a crash."""


@pytest.fixture
def migrated(database_url: str) -> Iterator[tuple[Redress, Engine]]:
    migrate(Settings(database_url=database_url))
    app, engine = open_app(database_url), open_engine(database_url)
    try:
        yield app, engine
    finally:
        engine.dispose()
        app.close()


def tracked(engine: Engine) -> int:
    with engine.connect() as connection:  # one statement: one consistent reading
        rows = connection.execute(
            select(projection_positions.c.position).where(projection_positions.c.name.in_(NAMES))
        ).scalars()
        positions = set(rows) or {0}
    assert len(positions) == 1, "the projections move together"
    return int(positions.pop())


def listed_cases_match_position(app: Redress, engine: Engine) -> bool:
    """The case list holds exactly the cases submitted up to its tracked position."""
    at = tracked(engine)
    logged = app.recorder.select_notifications(start=1, limit=max(at, 1)) if at else []
    submitted = sum(n.topic.endswith(":Submitted") for n in logged)
    with engine.connect() as connection:
        rows = connection.execute(select(case_list.c.case_id)).all()
    return len(rows) == submitted


def test_a_batch_that_fails_midway_rolls_back_whole_and_a_restart_converges(
    migrated: tuple[Redress, Engine],
) -> None:
    app, engine = migrated
    work = busy_workload(app, cases=12)
    catch_up(app, engine)
    more = busy_workload(app, prefix="more", cases=12)
    start, calls = tracked(engine), 0

    def fails_in_the_second_batch(connection: object, events: list[object]) -> None:
        nonlocal calls
        calls += 1
        case_stats.apply_events(connection, events)  # type: ignore[arg-type]
        if calls == 2:  # the case list has its rows of this batch too, uncommitted
            raise Crash

    broken = [
        p if p.name != case_stats.NAME else Projection(p.name, fails_in_the_second_batch, p.tables)
        for p in PROJECTIONS
    ]
    with pytest.raises(Crash):
        follow(engine, app, broken, batch=25)
    assert tracked(engine) == start + 25  # the first batch committed, the second left no trace
    assert listed_cases_match_position(app, engine)
    catch_up(app, engine)
    work.cases += more.cases
    work.stores += more.stores
    assert projected(engine) == replayed(app, work)


@pytest.mark.slow  # `redress projector` processes, one killed
def test_a_projector_process_killed_mid_batch_converges_after_a_restart(
    migrated: tuple[Redress, Engine], database_url: str, tmp_path: Path
) -> None:
    app, engine = migrated
    work = busy_workload(app, cases=10)
    catch_up(app, engine)
    start = tracked(engine)
    # The next batch starts with a message on an open case, whose row we hold locked.
    index = next(i for i, c in enumerate(work.cases) if app.get_case(c)["status"] == "escalated")
    blocked = work.cases[index]
    assert work.act(index, "message")
    more = busy_workload(app, prefix="more", cases=30)
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as blocker:
        if postgres:
            blocker.execute(
                select(case_stats_table)
                .where(case_stats_table.c.case_id == str(blocked))
                .with_for_update()
            )
        with projector_process(database_url, tmp_path / "projector-1.log") as (doomed, output):
            if postgres:  # waiting for our lock, in the middle of its batch
                until(lambda: lock_waits(engine) > 0, output)
                died_in = start
            else:
                died_in = stop_inside_a_batch(
                    doomed, Settings(database_url=database_url), app, engine, output
                )
            doomed.send_signal(signal.SIGKILL)
            assert doomed.wait(timeout=30) == -signal.SIGKILL
        blocker.rollback()
    assert tracked(engine) == died_in  # the batch it died in left nothing behind
    assert listed_cases_match_position(app, engine)

    with projector_process(database_url, tmp_path / "projector-2.log") as (restarted, output):
        until(lambda: tracked(engine) == head(app), output)
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=30) == 0, output()
    work.cases += more.cases
    work.stores += more.stores
    assert projected(engine) == replayed(app, work)


@contextmanager
def projector_process(
    database_url: str, log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Callable[[], str]]]:
    """`redress projector` (batches of 10), once it is running; killed if still alive after."""
    env = {**os.environ, "REDRESS_DATABASE_URL": database_url, "REDRESS_PROJECTOR_BATCH": "10"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [REDRESS, "projector"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        until(lambda: "projector running" in log.read_text(), log.read_text)
        yield process, log.read_text
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def stop_inside_a_batch(
    process: subprocess.Popen[bytes],
    settings: Settings,
    app: Redress,
    engine: Engine,
    output: Callable[[], str],
) -> int:
    """SIGSTOP the projector at a moment it holds SQLite's write lock with events left to
    apply: inside a batch's transaction (it takes no write lock otherwise once running).
    Checked while it is stopped, so it cannot have moved on; returns its position."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, output()
        if write_locked(settings.sqlite_path):
            os.kill(process.pid, signal.SIGSTOP)
            until(lambda: stopped(process.pid), output)
            at = tracked(engine)
            if write_locked(settings.sqlite_path) and at < head(app):
                return at
            os.kill(process.pid, signal.SIGCONT)
        assert time.monotonic() < deadline, f"never caught inside a batch:\n{output()}"


def write_locked(path: Path) -> bool:
    """Whether another connection holds SQLite's write lock (this one does not wait)."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as busy:
        assert "locked" in str(busy), busy
        return True
    finally:
        connection.close()  # a successful BEGIN is rolled back: nothing was written
    return False


def stopped(pid: int) -> bool:
    """Whether the process is stopped by a signal ("T" in /proc/PID/stat)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"


def lock_waits(engine: Engine) -> int:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()"
            )
        ).scalar_one()
    return int(waiting)


def until(condition: Callable[[], bool], output: Callable[[], str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"the projector made no progress:\n{output()}"
        time.sleep(0.01)
