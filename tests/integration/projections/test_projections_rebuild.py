"""`redress projections rebuild`: shadow tables, then a swap. Rebuilding twice gives identical
tables, a rebuild while commands are written loses nothing, and the swapped-in tables are
exactly what the migrations made. On SQLite and PostgreSQL; the rebuild split by aggregate
(`--workers N`) on PostgreSQL, against what following the log gives."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from support.projection_workload import (
    ACTIONS,
    Workload,
    busy_workload,
    catch_up,
    open_app,
    open_engine,
    projected,
    replayed,
    snapshot,
)
from typer.testing import CliRunner

from projections import case_stats
from projections.projector import Projector
from projections.queries import position
from projections.rebuild import Held, Part, Parts, build_part, rebuild, rebuild_split
from projections.registry import NAMES, PROJECTIONS, named
from projections.tracking import Projection
from services.application import Redress
from services.db import migrate
from services.entrypoints import projector_cli
from services.entrypoints.cli import app as cli
from services.projector.parallel import rebuild_side_by_side
from services.settings import Settings
from services.tables import metadata


@pytest.fixture
def migrated(database_url: str) -> Iterator[tuple[Redress, Engine]]:
    migrate(Settings(database_url=database_url))
    app, engine = open_app(database_url), open_engine(database_url)
    try:
        yield app, engine
    finally:
        engine.dispose()
        app.close()


def test_rebuilding_twice_gives_identical_tables_with_the_migrated_schema(
    migrated: tuple[Redress, Engine],
) -> None:
    app, engine = migrated
    busy_workload(app, cases=70)  # enough rows that PostgreSQL's rebuild writes with COPY
    catch_up(app, engine)
    followed = snapshot(engine)
    head = rebuild(engine, app, PROJECTIONS, batch=13)
    once = snapshot(engine)
    rebuild(engine, app, PROJECTIONS)
    assert snapshot(engine) == once == followed
    with engine.connect() as connection:
        assert position(connection, NAMES) == head
        # The swapped-in tables are the migrated ones (the event store's tables are not ours).
        ours = {"include_name": lambda name, kind, _: kind != "table" or name in metadata.tables}
        context = MigrationContext.configure(connection, opts=ours)
        assert compare_metadata(context, metadata) == []


def test_a_rebuild_that_holds_few_rows_in_memory_gives_the_same_tables(
    migrated: tuple[Redress, Engine],
) -> None:
    """A buffer this small flushes after nearly every batch: later batches read back, update
    and delete rows already written to the shadow tables."""
    app, engine = migrated
    busy_workload(app, cases=40)
    catch_up(app, engine)
    followed = snapshot(engine)
    rebuild(engine, app, PROJECTIONS, batch=11, buffered=5)
    assert snapshot(engine) == followed


def in_this_process(
    engine: Engine,
    app: Redress,
    parts: int,
    *,
    batch: int = 2000,
    buffered: int = 500_000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Parts, list[Held]]:
    """Parts built one after another here, as `redress projections rebuild --workers N`
    builds them in processes; what each part held back is kept for the test to look at. The
    shadow is indexed before the last part, as when one process runs out of parts while
    another still builds one."""
    held: list[Held] = []

    def build(shadow: str, head: int, index: Callable[[], None]) -> list[Held]:
        for n, part in enumerate(Part.split([1.0] * parts, head), start=1):
            if n == parts:
                index()
            held.append(
                build_part(
                    engine,
                    app,
                    PROJECTIONS,
                    shadow,
                    part,
                    batch=batch,
                    buffered=buffered,
                    progress=progress,
                )
            )
        return held

    return build, held


@pytest.mark.parametrize("parts", [2, 3])
def test_a_rebuild_split_by_aggregate_gives_the_tables_the_projector_gives(
    postgres_database: str, parts: int
) -> None:
    """Small pages and a small buffer: each part flushes often, then reads its own rows back
    from the one shadow that every part fills. A store's refunds fall in several parts, whose
    partial totals are added up."""
    migrate(Settings(database_url=postgres_database))
    app, engine = open_app(postgres_database), open_engine(postgres_database)
    try:
        busy_workload(app, cases=70)
        catch_up(app, engine)
        head, followed = app.recorder.max_notification_id(), snapshot(engine)
        build, held = in_this_process(engine, app, parts, batch=17, buffered=40)
        assert rebuild_split(engine, app, PROJECTIONS, build, batch=13) == head
        assert snapshot(engine) == followed
        with engine.connect() as connection:
            assert position(connection, NAMES) == head
        refunded = [{(r["store_id"], r["currency"]) for r in h["refund_totals"]} for h in held]
        assert set.intersection(*refunded[:2]), "no store's refunds fall in two parts"
    finally:
        engine.dispose()
        app.close()


def test_a_rebuild_while_commands_are_written_loses_nothing(
    migrated: tuple[Redress, Engine], database_url: str
) -> None:
    app, engine = migrated

    def one_process(progress: Callable[[int, int], None]) -> int:
        return rebuild(engine, app, PROJECTIONS, batch=40, progress=progress)

    _rebuilt_while_written(app, engine, database_url, one_process)


def test_a_rebuild_split_by_aggregate_while_commands_are_written_loses_nothing(
    postgres_database: str,
) -> None:
    migrate(Settings(database_url=postgres_database))
    app, engine = open_app(postgres_database), open_engine(postgres_database)

    def split(progress: Callable[[int, int], None]) -> int:
        build, _ = in_this_process(engine, app, 2, batch=20, progress=progress)
        return rebuild_split(engine, app, PROJECTIONS, build, batch=40)

    try:
        _rebuilt_while_written(app, engine, postgres_database, split)
    finally:
        engine.dispose()
        app.close()


def _rebuilt_while_written(
    app: Redress,
    engine: Engine,
    database_url: str,
    rebuilt: Callable[[Callable[[int, int], None]], int],
) -> None:
    """`rebuilt(progress)` rebuilds every read model while a writer logs commands and the
    projector follows them: the read models then hold what the aggregates say."""
    work = busy_workload(app, cases=20)
    writer = Writer(open_app(database_url), work)
    live = Projector(engine, app, PROJECTIONS, batch=7, interval=0.01)
    live.start()
    writer.start()
    reports = 0

    def progress(_done: int, _head: int) -> None:
        # The first reports wait for the writer to log more, so the log surely grows during
        # the build; then the writer runs free and the build catches up with it.
        nonlocal reports
        reports += 1
        if reports <= 3:
            writer.wait_for(3)

    try:
        rebuilt(progress)
    finally:
        writer.stop()
        live.stop()
    assert writer.written >= 3
    catch_up(app, engine)
    work.cases = writer.work.cases
    assert projected(engine) == replayed(app, work)
    rebuilt = snapshot(engine)
    rebuild(engine, app, PROJECTIONS)
    assert snapshot(engine) == rebuilt


class Writer(threading.Thread):
    """Submits cases and acts on them until stopped, like clients of the API would."""

    def __init__(self, app: Redress, work: Workload) -> None:
        super().__init__(daemon=True)
        self.work = Workload(app, prefix="writer")
        self.work.stores, self.work.cases, self.work.now = work.stores, work.cases, work.now
        self.written = 0
        self._stopping, self._progress = threading.Event(), threading.Condition()

    def run(self) -> None:
        n = 0
        while not self._stopping.is_set():
            n += 1
            if n % 3 == 0:
                self.work.submit(n, n)
            else:
                self.work.act(n, ACTIONS[n % len(ACTIONS)])
            with self._progress:
                self.written += 1
                self._progress.notify_all()

    def wait_for(self, more: int) -> None:
        with self._progress:
            target = self.written + more
            assert self._progress.wait_for(lambda: self.written >= target, timeout=60)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)
        self.work.app.close()


def test_rebuilding_one_read_model_leaves_the_others_alone(
    migrated: tuple[Redress, Engine],
) -> None:
    app, engine = migrated
    busy_workload(app, cases=10)
    catch_up(app, engine)
    before = snapshot(engine)
    busy_workload(app, prefix="later", cases=5)
    at = rebuild(engine, app, named([case_stats.NAME]))
    with engine.connect() as connection:
        assert position(connection, [case_stats.NAME]) == at
        assert position(connection, NAMES) < at  # the others wait for the projector
    after = snapshot(engine)
    assert after["case_list"] == before["case_list"]
    assert after["case_stats"] != before["case_stats"]


@pytest.mark.slow  # the `redress projections rebuild` process
def test_the_rebuild_command_shows_progress_and_swaps(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDRESS_DATABASE_URL", database_url)
    migrate(Settings(database_url=database_url))
    app, engine = open_app(database_url), open_engine(database_url)
    try:
        busy_workload(app, cases=5)
        # The progress bar's width is the console's, fixed when it was made (COLUMNS set at
        # invoke time is not read again): wide enough for every column to be whole.
        monkeypatch.setattr(projector_cli.console, "width", 150)
        wide = {"COLUMNS": "150"}
        answer = CliRunner().invoke(cli, ["projections", "rebuild", "--workers", "2"], env=wide)
        assert answer.exit_code == 0, answer.output
        assert "events/s" in answer.output and "ETA" in answer.output
        assert "rebuilt case_list, case_stats, store_scorecards up to position" in answer.output
        # Two processes, each with its share of the log, on PostgreSQL; one on SQLite.
        split = "rebuilding part 4 of 4" in answer.output
        assert split == database_url.startswith("postgresql")
        with engine.connect() as connection:
            assert position(connection, NAMES) == app.recorder.max_notification_id()
        one = CliRunner().invoke(cli, ["projections", "rebuild", "case_list"], env=wide)
        assert one.exit_code == 0 and "rebuilt case_list up to position" in one.output
        unknown = CliRunner().invoke(cli, ["projections", "rebuild", "nope"])
        assert unknown.exit_code == 2 and "no projection 'nope'" in unknown.output
        status = CliRunner().invoke(cli, ["projections", "status"])
        assert status.exit_code == 0 and "case_stats" in status.output
    finally:
        engine.dispose()
        app.close()


# Run as a command runs it: a process with one thread, which forks the rebuild's processes.
FORKING = """
import multiprocessing, sys
from projections.registry import PROJECTIONS
from services.projector.parallel import rebuild_side_by_side
from services.settings import Settings

real, methods = multiprocessing.get_context, []
multiprocessing.get_context = lambda method: (methods.append(method), real(method))[1]
reached = rebuild_side_by_side(Settings(database_url=sys.argv[1]), PROJECTIONS, print, 2)
print(methods, reached)
"""


@pytest.mark.slow  # a Python process of its own
def test_a_process_with_one_thread_forks_the_rebuild_s_processes(postgres_database: str) -> None:
    """(Within pytest, other threads run: the command test above spawns them.)"""
    migrate(Settings(database_url=postgres_database))
    app, engine = open_app(postgres_database), open_engine(postgres_database)
    try:
        busy_workload(app, cases=30)
        catch_up(app, engine)
        followed, head = snapshot(engine), app.recorder.max_notification_id()
        ran = subprocess.run(
            [sys.executable, "-c", FORKING, postgres_database],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.splitlines()[-1] == f"['fork'] {{'{', '.join(NAMES)}': {head}}}"
        assert "part 4 of 4" in ran.stdout  # each part's progress, relayed
        assert snapshot(engine) == followed
    finally:
        engine.dispose()
        app.close()


def test_a_failed_split_rebuild_stops_its_processes(postgres_database: str) -> None:
    """A read model with no fold cannot be rebuilt: the refusal comes back at once, and the
    process already started for the parts (which finds the read model by its name, and waits
    for a part) is told to stop."""
    migrate(Settings(database_url=postgres_database))
    foldless = Projection(case_stats.NAME, case_stats.apply_events, case_stats.TABLES)
    with pytest.raises(ValueError, match="needs the projection's fold"):
        rebuild_side_by_side(
            Settings(database_url=postgres_database), [foldless], lambda *_: None, 2
        )
    deadline = time.monotonic() + 60
    while multiprocessing.active_children():
        assert time.monotonic() < deadline, multiprocessing.active_children()
        time.sleep(0.05)


def test_rebuild_time_stamps_stay_utc(migrated: tuple[Redress, Engine]) -> None:
    app, engine = migrated
    work = busy_workload(app, cases=3)
    rebuild(engine, app, PROJECTIONS)
    submitted = snapshot(engine)["case_stats"][0]["submitted_at"]
    assert submitted.tzinfo is UTC and submitted >= datetime(2026, 3, 2, tzinfo=UTC)
    assert submitted <= work.now
