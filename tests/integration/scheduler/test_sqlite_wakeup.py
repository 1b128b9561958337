"""`SqliteWakeup`: any other connection's commit to the SQLite file wakes it, made in another
process or in this one, and a read does not; `ring_on_commits` (the roles process of `redress
serve --workers N`) has it ring the in-process bell the roles listen to, on SQLite only."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from services.scheduler.bootstrap import ring_on_commits
from services.scheduler.wakeup import IN_PROCESS, SqliteWakeup
from services.settings import Settings

INSERT = "INSERT INTO notes VALUES ('written')"
WRITE_ELSEWHERE = (
    "import sqlite3, sys\n"
    "with sqlite3.connect(sys.argv[1]) as connection:\n"
    f"    connection.execute({INSERT!r})\n"
)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "redress.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.commit()
    return path


def _commit_here(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(INSERT)
        connection.commit()


def _commit_in_another_process(database: Path) -> None:
    subprocess.run([sys.executable, "-c", WRITE_ELSEWHERE, str(database)], check=True, timeout=60)


def _read(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("SELECT count(*) FROM notes").fetchone()


@pytest.mark.parametrize("commit", [_commit_in_another_process, _commit_here])
def test_a_commit_through_another_connection_wakes_it_and_a_read_does_not(
    database: Path, commit: Callable[[Path], None]
) -> None:
    wakes = threading.Semaphore(0)
    wakeup = SqliteWakeup(database)
    wakeup.start(wakes.release)
    try:
        assert wakeup.wait_ready(30)
        _read(database)
        commit(database)
        assert wakes.acquire(timeout=30)
    finally:
        wakeup.stop()
    assert not wakes.acquire(blocking=False)  # the commit woke it once; the read, not at all


def test_ring_on_commits_rings_the_in_process_bell_on_sqlite(database: Path) -> None:
    woken = threading.Event()
    IN_PROCESS.start(woken.set)
    try:
        with ring_on_commits(Settings(database_url=f"sqlite:///{database}")) as watcher:
            assert watcher is not None and watcher.wait_ready(30)
            _commit_in_another_process(database)
            assert woken.wait(30)
    finally:
        IN_PROCESS.stop()


def test_ring_on_commits_watches_nothing_on_postgresql() -> None:
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:5432/unused")
    with ring_on_commits(settings) as watcher:
        assert watcher is None
