"""The sweep itself on both backends: run-due, outages, ordering, the index, failures, metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from prometheus_client import REGISTRY
from support.scheduler_harness import BACKENDS, STORE, Harness, local
from typer.testing import CliRunner

from services.application import Redress
from services.entrypoints.cli import app as cli
from services.scheduler import index
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper

LONDON = "Europe/London"
SUBMITTED = local("2025-03-03 10:00", LONDON)  # a Monday
FIRST_RESPONSE = local("2025-03-06 00:00", LONDON)  # 2 full work days later
EXTRA_TIME = local("2025-03-11 00:00", LONDON)  # 3 more


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    with Harness.per_backend(request, tmp_path_factory, batch=3) as harness:
        yield harness


@pytest.fixture
def h(shared: Harness) -> Harness:
    return shared.reset()


def biggrey_cases(h: Harness, count: int, *, certified: bool = True) -> list[UUID]:
    h.store("biggrey", certified=certified)
    return [h.submit("biggrey", "warranty_claim", SUBMITTED) for _ in range(count)]


def test_run_due_twice_at_the_same_instant_fires_nothing_the_second_time(h: Harness) -> None:
    cases = biggrey_cases(h, 4)
    runner, env = CliRunner(), {"REDRESS_DATABASE_URL": h.url}
    argv = ["scheduler", "run-due", "--now", "2025-03-12T00:00:00+00:00"]
    first = runner.invoke(cli, argv, env=env)
    assert (first.exit_code, first.output.strip()) == (0, "fired 8"), first.output
    second = runner.invoke(cli, argv, env=env)
    assert (second.exit_code, second.output.strip()) == (0, "fired 0"), second.output
    for case_id in cases:
        assert [t for t, _ in h.events(case_id)] == ["Submitted", "Reminded", "Warned", "Escalated"]


def test_a_three_day_outage_replays_the_chain_at_the_due_times(h: Harness) -> None:
    [case_id] = biggrey_cases(h, 1)
    assert h.run_due(FIRST_RESPONSE - timedelta(hours=1)).fired == 0
    back = EXTRA_TIME + timedelta(days=3, hours=2)  # down since before the first deadline
    assert h.run_due(back).fired == 2
    history = h.app.history(case_id)
    assert [(e["type"], e["occurred_at"]) for e in history[1:]] == [
        ("Reminded", FIRST_RESPONSE),
        ("Warned", EXTRA_TIME),  # counted from the reminder's due_at, not from `back`
        ("Escalated", EXTRA_TIME),
    ]
    assert {e["recorded_at"] for e in history[1:]} == {back}
    assert {e["actor"]["role"] for e in history[1:]} == {"system"}


def test_after_an_outage_a_cases_deadlines_fire_in_due_order_chains_included(
    h: Harness,
) -> None:
    # Down from 28 March to 5 April: the reminder of 29 March chains the one of 2 April
    # (00:00 BST), which comes before day 30 (10:00 UTC) ends the reminders.
    [case_id] = biggrey_cases(h, 1, certified=False)
    assert h.run_due(local("2025-03-28 00:00", LONDON)).fired == 8
    assert h.run_due(local("2025-04-05 00:00", LONDON)).fired == 3
    assert h.events(case_id)[-3:] == [
        ("Reminded", local("2025-03-29 00:00", LONDON)),
        ("Reminded", local("2025-04-02 00:00", LONDON)),
        ("ConsumerCloseAllowed", SUBMITTED + timedelta(days=30)),
    ]


def test_the_index_holds_each_cases_pending_deadlines_as_its_last_event_lists_them(
    h: Harness,
) -> None:
    cases = biggrey_cases(h, 2)
    h.act(cases[0], STORE, SUBMITTED + timedelta(hours=1), "respond", message="on it")
    h.sweeper.catch_up()
    assert [(r[0], r[2], r[3], r[5]) for r in h.index_rows()] == [
        (str(cases[1]), "first_response", FIRST_RESPONSE, False)
    ]
    h.run_due(FIRST_RESPONSE)
    assert [(r[0], r[2], r[3]) for r in h.index_rows()] == [
        (str(cases[1]), "extra_time", EXTRA_TIME)
    ]
    assert index.next_due(h.sweeper.engine) == EXTRA_TIME


def test_the_index_rebuilt_from_the_log_is_the_same(h: Harness) -> None:
    cases = biggrey_cases(h, 5)
    h.act(cases[0], STORE, SUBMITTED + timedelta(hours=1), "respond", message="on it")
    h.run_due(EXTRA_TIME)  # warnings: store events (the third revokes) interleave in the log
    h.sweeper.catch_up()
    before = h.index_rows()
    assert [r[2] for r in before] == ["protection"] * 4
    assert index.rebuild(h.sweeper.engine, h.app) > 0
    assert h.index_rows() == before
    assert h.run_due(EXTRA_TIME).fired == 0


class FailsOnce(Redress):
    """The real application, except that one case's first timeout raises."""

    name = "redress"  # the library names a subclass's tables after it otherwise
    failing: UUID | None = None

    def record_timeout(self, case_id: UUID, deadline_id: str, now: datetime) -> bool:
        if case_id == self.failing:
            self.failing = None
            raise RuntimeError("the store's bank is on fire")
        return super().record_timeout(case_id, deadline_id, now)

    def record_timeouts(self, timeouts: Sequence[tuple[UUID, str]], now: datetime) -> list[bool]:
        if self.failing in {case_id for case_id, _ in timeouts}:
            raise RuntimeError("a case of this batch is on fire")  # the sweeper goes one by one
        return super().record_timeouts(timeouts, now)


def test_a_timeout_that_raises_is_logged_skipped_and_retried_by_the_next_sweep(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    cases = biggrey_cases(h, 3)
    flaky = FailsOnce(env=SchedulerSettings(database_url=h.url).eventsourcing_env())
    flaky.failing = cases[1]
    sweeper = Sweeper(flaky, h.sweeper.engine, batch=2)
    try:
        with caplog.at_level(logging.ERROR, "services.scheduler.sweeper"):
            report = sweeper.run_due(EXTRA_TIME)
        assert (report.fired, report.failed) == (4, 1)
        assert f"case {cases[1]} deadline first_response-1" in caplog.text
        assert [t for t, _ in h.events(cases[1])] == ["Submitted"]
        report = sweeper.run_due(EXTRA_TIME)
        assert (report.fired, report.failed) == (2, 0)
        assert h.events(cases[1])[1:] == [
            ("Reminded", FIRST_RESPONSE),
            ("Warned", EXTRA_TIME),
            ("Escalated", EXTRA_TIME),
        ]
    finally:
        sweeper.close()
        flaky.close()


class CountsChunks(FailsOnce):
    """FailsOnce, noting the size of every chunk of timeouts saved together (or tried)."""

    sizes: list[int]

    def record_timeouts(self, timeouts: Sequence[tuple[UUID, str]], now: datetime) -> list[bool]:
        self.sizes.append(len(timeouts))
        return super().record_timeouts(timeouts, now)


def test_a_chunk_that_raises_is_fired_in_halves_down_to_the_case_at_fault(h: Harness) -> None:
    cases = biggrey_cases(h, 8)
    flaky = CountsChunks(env=SchedulerSettings(database_url=h.url).eventsourcing_env())
    flaky.failing, flaky.sizes = cases[5], []
    sweeper = Sweeper(flaky, h.sweeper.engine)  # the eight reminders: one chunk
    try:
        report = sweeper.run_due(FIRST_RESPONSE)
        assert (report.fired, report.failed) == (7, 1)
        # 8 raises; of its halves one saves, one raises; and again; the last two go alone.
        assert sorted(flaky.sizes) == [2, 2, 4, 4, 8]
        for case in cases:  # each timeout recorded once, none twice for the retries
            expected = ["Submitted"] if case == cases[5] else ["Submitted", "Reminded"]
            assert [t for t, _ in h.events(case)] == expected
        assert sweeper.run_due(FIRST_RESPONSE).fired == 1  # retried by the next sweep
    finally:
        sweeper.close()
        flaky.close()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_firings_lateness_and_pending_deadlines(h: Harness) -> None:
    biggrey_cases(h, 2)
    fired = sample("redress_scheduler_fired_total", action="remind")
    late_sum = sample("redress_scheduler_lateness_seconds_sum")
    late_count = sample("redress_scheduler_lateness_seconds_count")
    assert h.run_due(FIRST_RESPONSE + timedelta(seconds=90)).fired == 2
    assert sample("redress_scheduler_fired_total", action="remind") == fired + 2
    assert sample("redress_scheduler_lateness_seconds_count") == late_count + 2
    assert sample("redress_scheduler_lateness_seconds_sum") == pytest.approx(late_sum + 180)
    assert h.sweeper.refresh_pending() == 2  # the two extra_time deadlines
    assert sample("redress_scheduler_pending_deadlines") == 2
