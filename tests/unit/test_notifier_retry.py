"""The retry schedule and `Retry-After` parsing (pure: no I/O, so they run in a blink)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from services.notifier.retry import DEFAULT_DELAYS, RetrySchedule, parse_retry_after

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_the_schedule_is_immediately_5s_5min_30min_2h_5h_10h_10h() -> None:
    assert [d.total_seconds() for d in DEFAULT_DELAYS] == [
        0, 5, 300, 1800, 7200, 18000, 36000, 36000,
    ]  # fmt: skip
    assert sum(DEFAULT_DELAYS, timedelta()) >= timedelta(hours=24)


def test_each_retry_is_jittered_within_ten_percent_and_the_ninth_never_comes() -> None:
    schedule = RetrySchedule(rng=random.Random(1))
    for failed, delay in enumerate(DEFAULT_DELAYS[1:], start=1):
        for _ in range(50):
            at = schedule.next_attempt(failed, NOW)
            assert at is not None
            assert delay * 0.9 <= at - NOW <= delay * 1.1
    assert schedule.next_attempt(len(DEFAULT_DELAYS), NOW) is None


def test_retry_after_delays_but_never_hastens_and_is_capped_at_a_day() -> None:
    schedule = RetrySchedule(jitter=0)
    assert schedule.next_attempt(1, NOW, timedelta(minutes=2)) == NOW + timedelta(minutes=2)
    assert schedule.next_attempt(2, NOW, timedelta(seconds=1)) == NOW + timedelta(minutes=5)
    assert schedule.next_attempt(1, NOW, timedelta(days=30)) == NOW + timedelta(days=1)


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    later = format_datetime(NOW + timedelta(minutes=3), usegmt=True)
    assert parse_retry_after(later, NOW) == timedelta(minutes=3)
    past = format_datetime(NOW - timedelta(minutes=3), usegmt=True)
    assert parse_retry_after(past, NOW) == timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
