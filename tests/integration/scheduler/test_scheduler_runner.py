"""The long-running scheduler: APScheduler drives the sweep, a wake-up or the next due instant
brings it forward. The interval is an hour here, so only those can have fired anything.
Nothing is timed: each test waits (boundedly) for the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from support.scheduler_harness import BACKENDS, Harness, eventually, local

from services.scheduler import bootstrap
from services.scheduler.role import SchedulerRole
from services.scheduler.runner import SchedulerRunner
from services.scheduler.settings import SchedulerSettings
from services.scheduler.wakeup import InProcessWakeup, PostgresWakeup, Wakeup
from services.settings import Settings

SUBMITTED = local("2025-03-03 10:00", "Europe/London")
FIRST_RESPONSE = local("2025-03-06 00:00", "Europe/London")
AN_HOUR = 3600.0


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    with Harness.per_backend(request, tmp_path_factory) as harness:
        yield harness


@pytest.fixture
def h(shared: Harness) -> Harness:
    shared.reset().store("biggrey")
    return shared


def test_a_case_whose_deadline_is_already_due_wakes_the_scheduler(h: Harness) -> None:
    wakeup: Wakeup
    if h.url.startswith("postgresql"):  # LISTEN/NOTIFY: any writer, any process
        wakeup = bootstrap.wakeup_for(SchedulerSettings(database_url=h.url), h.app)
    else:  # SQLite: the writer in this process rings
        wakeup = InProcessWakeup()
        wakeup.watch(h.app)
    runner = SchedulerRunner(h.sweeper, lambda: FIRST_RESPONSE, AN_HOUR, wakeup)
    runner.start()
    try:
        eventually(lambda: runner.sweeps >= 1)
        if isinstance(wakeup, PostgresWakeup):
            assert wakeup.wait_ready(30)
        case_id = h.submit("biggrey", "warranty_claim", SUBMITTED)
        eventually(lambda: len(h.events(case_id)) == 2)
    finally:
        runner.stop()
    assert h.events(case_id)[1] == ("Reminded", FIRST_RESPONSE)


def test_a_deadline_due_before_the_next_tick_fires_at_its_due_time(h: Harness) -> None:
    case_id = h.submit("biggrey", "warranty_claim", SUBMITTED)
    # The first sweep runs 0.3 s before the deadline; the clock reads its due_at after that.
    readings = iter([FIRST_RESPONSE - timedelta(seconds=0.3)])
    runner = SchedulerRunner(h.sweeper, lambda: next(readings, FIRST_RESPONSE), AN_HOUR)
    runner.start()
    try:
        eventually(lambda: len(h.events(case_id)) == 2)
    finally:
        runner.stop()
    assert h.events(case_id)[1] == ("Reminded", FIRST_RESPONSE)
    assert runner.sweeps == 2  # the first found nothing due and brought the second forward


def test_the_role_serve_runs_fires_what_is_due_and_stops(h: Harness) -> None:
    case_id = h.submit("biggrey", "warranty_claim", SUBMITTED)
    role = SchedulerRole(Settings(database_url=h.url), clock=lambda: FIRST_RESPONSE)
    role.start()
    try:
        eventually(lambda: len(h.events(case_id)) == 2)
    finally:
        role.stop()
    assert h.events(case_id)[1] == ("Reminded", FIRST_RESPONSE)
