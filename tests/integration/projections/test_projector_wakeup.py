"""The projector applies new events when the log says it has them (LISTEN/NOTIFY on
PostgreSQL, this process's own writes on SQLite), not at its next poll: here the poll is an
hour away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.scheduler_harness import BACKENDS, Harness, eventually, local

from projections.projector import Projector
from projections.registry import PROJECTIONS
from projections.tracking import behind
from services.scheduler import bootstrap
from services.scheduler.wakeup import InProcessWakeup, PostgresWakeup, Wakeup
from services.settings import Settings

AN_HOUR = 3600.0


@pytest.fixture(scope="module", params=BACKENDS)
def h(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    with Harness.per_backend(request, tmp_path_factory) as harness:
        harness.reset().store("biggrey")
        yield harness


def test_a_committed_event_wakes_the_projector_before_its_next_poll(h: Harness) -> None:
    engine = h.sweeper.engine
    projector = Projector(engine, h.app, PROJECTIONS, interval=AN_HOUR)
    wakeup: Wakeup
    if h.url.startswith("postgresql"):  # any writer, any process
        wakeup = bootstrap.wakeup_for(Settings(database_url=h.url), h.app)
    else:
        wakeup = InProcessWakeup()
        wakeup.watch(h.app)
    wakeup.start(projector.wake)
    projector.start()
    try:
        eventually(lambda: not behind(engine, h.app, PROJECTIONS))  # the first pass
        if isinstance(wakeup, PostgresWakeup):
            assert wakeup.wait_ready(30)
        h.submit("biggrey", "warranty_claim", local("2025-03-03 10:00", "Europe/London"))
        eventually(lambda: not behind(engine, h.app, PROJECTIONS))
    finally:
        projector.stop()
        wakeup.stop()
