"""A projector that dies mid-batch leaves no trace of that batch, and the next one converges:
each batch commits with its tracked position or not at all. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from test_projections import busy_workload, catch_up, open_app, open_engine, projected, replayed

from projections import case_stats
from projections.registry import NAMES, PROJECTIONS
from projections.tables import case_list, projection_positions
from projections.tables import case_stats as case_stats_table
from projections.tracking import Projection, follow
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
        projector = subprocess.Popen(
            [REDRESS, "projector"],
            env={
                **os.environ,
                "REDRESS_DATABASE_URL": database_url,
                "REDRESS_PROJECTOR_BATCH": "10",
            },
            stdout=(log := (tmp_path / "projector.log").open("w")),
            stderr=subprocess.STDOUT,
        )
        try:
            # PostgreSQL: wait until the projector waits for our lock, in the middle of its
            # batch. SQLite: wait until it committed a batch, and kill it in the next one.
            until(
                lambda: lock_waits(engine) > 0 if postgres else tracked(engine) > start,
                lambda: (tmp_path / "projector.log").read_text(),
            )
            projector.send_signal(signal.SIGKILL)
            projector.wait(timeout=30)
        finally:
            if projector.poll() is None:
                projector.kill()
                projector.wait(timeout=30)
            log.close()
        blocker.rollback()
    if postgres:
        assert tracked(engine) == start  # the batch it died in left nothing behind
    assert listed_cases_match_position(app, engine)
    catch_up(app, engine)  # the restarted projector
    work.cases += more.cases
    work.stores += more.stores
    assert projected(engine) == replayed(app, work)


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
