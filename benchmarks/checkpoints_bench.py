"""Signed checkpoints (issue 21, part 3), each beside a baseline measured in the same run:

- the time to sign one checkpoint over 10,000 cases (reading every chain head, the Merkle
  root, the signature, the row and its webhook rows), beside the Merkle root alone in memory,
  with how long each run held the write lock;
- the append rate (one command per event, one writer) with the checkpointer running in a
  process of its own (as inside the notifier) at a checkpoint every 1,000 events, beside the
  same load without it, interleaved (median of four phases of each): the target is no loss
  beyond the noise (>= 95 %);
- `redress audit verify` over the whole log (extra figures).

On PostgreSQL (`REDRESS_BENCH_POSTGRES`) and on SQLite (the embedded default).

python -m benchmarks --only checkpoints, or python -m benchmarks.checkpoints_bench
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from benchmarks.harness import ROOT, Figure, fresh_database
from benchmarks.projections_bench import CONSUMER, seed
from domain.actors import By
from services.application import Redress
from services.audit.checkpointer import Checkpointer
from services.audit.merkle import merkle_root
from services.audit.settings import AuditSettings
from services.audit.signing import Signer, new_key, public_key
from services.audit.verify import verify
from services.db import migrate, sync_engine

SECTION = "checkpoints"
CASES = int(os.environ.get("REDRESS_BENCH_CHECKPOINT_CASES", "10000"))
APPENDS = int(os.environ.get("REDRESS_BENCH_CHECKPOINT_APPENDS", "1200"))
APPEND_ROUNDS = 4  # phases of each kind


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with fresh_database("ckpt") as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{Path(directory) / 'redress.db'}"


def backend_of(settings: AuditSettings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


def now() -> datetime:
    return datetime.now(UTC)


def one_checkpoint(settings: AuditSettings, app: Redress, seed_key: str) -> Figure:
    engine = sync_engine(settings)
    signer = Signer.of(seed_key)
    follow = Checkpointer(app, engine, signer, now, every=10**9, interval=timedelta(days=1))
    started = time.perf_counter()
    followed = follow.run()
    assert not followed
    logged = app.recorder.max_notification_id() or 0
    follow_rate = logged / (time.perf_counter() - started)
    sign = Checkpointer(app, engine, signer, now, every=1, interval=timedelta(0))
    cases = [UUID(str(n.originator_id)) for n in app.recorder.select_notifications(1, 200)]
    timings, locked = [], []
    with write_lock_timed(locked):
        for case_id in cases[50:55]:  # one new event each time: a checkpoint over every chain
            post(app, case_id)
            started = time.perf_counter()
            [made] = sign.run()
            timings.append(time.perf_counter() - started)
    heads = [(uuid4(), os.urandom(32).hex()) for _ in range(made["chains"])]
    started = time.perf_counter()
    merkle_root(heads)
    root_alone = time.perf_counter() - started
    engine.dispose()
    return Figure(
        SECTION,
        f"sign one checkpoint over {made['chains']:,} chains ({backend_of(settings)})",
        statistics.median(timings) * 1000,
        "ms",
        baseline="Merkle root alone, in memory",
        baseline_value=root_alone * 1000,
        extra={
            "follow the log, events/s": follow_rate,
            "runs, ms": [round(t * 1000, 1) for t in timings],
            "write lock held a run, ms": [round(t * 1000, 1) for t in locked],
        },
    )


@contextmanager
def write_lock_timed(held: list[float]) -> Iterator[None]:
    """Each of the checkpointer's write transactions timed into `held`, from taking the lock
    (SQLite: the whole database's, which appends wait on) to the commit."""
    from services.audit import checkpointer

    untimed = checkpointer.transaction

    @contextmanager
    def timed(engine: Any) -> Iterator[Any]:
        with untimed(engine) as connection:
            started = time.perf_counter()
            yield connection
        held.append(time.perf_counter() - started)

    checkpointer.transaction = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        checkpointer.transaction = untimed


def post(app: Redress, case_id: UUID) -> None:
    by = By.at(CONSUMER, now())
    app.act(case_id, by, lambda case, policy: case.post_message(policy, by, "more"))


def append_rate(app: Redress, cases: list[UUID], appends: int) -> float:
    started = time.perf_counter()
    for done in range(appends):
        post(app, cases[done % len(cases)])
    return appends / (time.perf_counter() - started)


SIGNER = """
import signal, threading
from services.audit.role import CheckpointRole
from services.audit.settings import AuditSettings
role = CheckpointRole(AuditSettings())
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
role.start()
print("ready", flush=True)
stop.wait()
role.stop()
"""


@contextmanager
def signer_process(settings: AuditSettings) -> Iterator[None]:
    """The checkpointer in a process of its own, as in production (inside the notifier)."""
    env = {
        **os.environ,
        "REDRESS_DATABASE_URL": settings.database_url,
        "REDRESS_AUDIT_SIGNING_KEY": settings.audit_signing_key or "",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SIGNER], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield
    finally:
        process.terminate()
        process.wait(60)


def append_figure(settings: AuditSettings, app: Redress, cases: list[UUID]) -> Figure:
    without: list[float] = []
    beside: list[float] = []
    signed_before = count_checkpoints(settings)
    # Interleaved, each first as often (ABBA): appends slow down as the cases they go to grow,
    # and the second of a pair always running later would make it look dearer.
    for phase in range(APPEND_ROUNDS * 2):
        if phase % 2 == (phase // 2) % 2:
            without.append(append_rate(app, cases, APPENDS))
            continue
        with signer_process(settings):
            # more appends than a checkpoint's worth: it signs during the phase
            beside.append(append_rate(app, cases, APPENDS))
    base, rate = statistics.median(without), statistics.median(beside)
    return Figure(
        SECTION,
        f"appends/s with the checkpointer running ({backend_of(settings)})",
        rate,
        "events/s",
        baseline="the same appends without it",
        baseline_value=base,
        target=">= 95 % of the baseline",
        met=rate >= 0.95 * base,
        extra={
            "checkpoints signed meanwhile": count_checkpoints(settings) - signed_before,
            "every": settings.audit_checkpoint_every,
            "appends per phase": APPENDS,
            "without, events/s": without,
            "beside, events/s": beside,
        },
    )


def count_checkpoints(settings: AuditSettings) -> int:
    from sqlalchemy import func, select

    from services.audit.tables import audit_checkpoints

    engine = sync_engine(settings)
    with engine.connect() as connection:
        found = connection.execute(select(func.count()).select_from(audit_checkpoints)).scalar()
    engine.dispose()
    return int(found or 0)


def verify_figure(settings: AuditSettings, app: Redress, public: str) -> Figure:
    from sqlalchemy import select

    from services.audit.publish import public as published
    from services.audit.tables import audit_checkpoints

    engine = sync_engine(settings)
    with engine.connect() as connection:
        kept = [published(r) for r in connection.execute(select(audit_checkpoints)).all()]
    engine.dispose()
    logged = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    report = verify(app, kept, public_key(public))
    seconds = time.perf_counter() - started
    assert report.valid, report.findings
    return Figure(
        SECTION,
        f"`audit verify` over {logged:,} events, {len(kept)} checkpoints ({backend_of(settings)})",
        logged / seconds,
        "events/s",
        extra={"seconds": seconds},
    )


def backend_figures(backend: str) -> list[Figure]:
    private, public = new_key()
    with database(backend) as url:
        settings = AuditSettings(database_url=url, audit_signing_key=private)
        migrate(settings)
        app = Redress(env=settings.eventsourcing_env())
        try:
            seed(app, CASES * 4)
            figures = [one_checkpoint(settings, app, private)]
            cases = [
                UUID(str(n.originator_id))
                for n in app.recorder.select_notifications(60, 400)
                if n.originator_version == 1
            ]
            figures.append(append_figure(settings, app, cases))
            figures.append(verify_figure(settings, app, public))
        finally:
            app.close()
    return figures


def run() -> list[Figure]:
    figures: list[Figure] = []
    for backend in ("postgresql", "sqlite"):
        figures += backend_figures(backend)
    return figures


def main() -> None:
    for figure in run():
        print(figure)


if __name__ == "__main__":
    main()
