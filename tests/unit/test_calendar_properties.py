"""The calendar engine: properties over many instants, plus PLATFORMS.md's worked examples.

Work days come from `holidays`; the measuring helpers below recount the time a clock ran by
summing day overlaps, independently of how the engine spends it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar, clock_after

PROPERTIES = settings(max_examples=200, deadline=None, database=None)

GB = BusinessCalendar("GB", "Europe/London")
FR = BusinessCalendar("FR", "Europe/Paris")
CN = BusinessCalendar("CN", "Asia/Shanghai")
HK = BusinessCalendar("HK", "Asia/Hong_Kong")
US = BusinessCalendar("US", "America/New_York")
IL = BusinessCalendar("IL", "Asia/Jerusalem")  # Sunday is a work day: DST ends on one
CALENDARS = [GB, FR, CN, HK, US, IL]

# Daylight-saving changes of Europe/London and Europe/Paris (the last Sundays of March and
# October), and China's National Day week with its make-up work days.
EU_DST_CHANGES = [
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2027, 3, 28),
    date(2027, 10, 31),
]
NATIONAL_DAY = date(2026, 10, 1)


def at(calendar: BusinessCalendar, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=calendar.zone)  # type: ignore[misc]


@st.composite
def calendar_and_start(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime]:
    """Any instant, a local midnight, or an instant near a DST change or National Day."""
    calendar = draw(st.sampled_from(CALENDARS))
    how = draw(st.sampled_from(["any", "midnight", "eu_dst", "national_day"]))
    if how == "any":
        start = draw(
            st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
        )
        return calendar, start
    if how == "midnight":
        day = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
        return calendar, calendar.local_midnight(day)
    if how == "eu_dst":
        calendar = draw(st.sampled_from([GB, FR]))
        anchor = datetime.combine(draw(st.sampled_from(EU_DST_CHANGES)), time(1), tzinfo=UTC)
    else:
        calendar = CN
        anchor = datetime.combine(NATIONAL_DAY, time(0), tzinfo=calendar.zone)
    offset = draw(st.integers(-5 * 24 * 60, 5 * 24 * 60))
    return calendar, anchor.astimezone(UTC) + timedelta(minutes=offset)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def clock_time(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    window: tuple[time, time] | None = None,
) -> timedelta:
    """How long a clock running only on work days (inside `window`, if any) ran."""
    total = timedelta(0)
    for day in days_between(calendar.local_date(start), calendar.local_date(end)):
        if not calendar.is_work_day(day):
            continue
        if window is None:
            opens, closes = (
                calendar.local_midnight(day),
                calendar.local_midnight(day + timedelta(days=1)),
            )
        else:
            opens = datetime.combine(day, window[0], tzinfo=calendar.zone).astimezone(UTC)
            closes = datetime.combine(day, window[1], tzinfo=calendar.zone).astimezone(UTC)
        overlap = min(closes, end) - max(opens, start)
        total += max(overlap, timedelta(0))
    return total


# -- properties --------------------------------------------------------------------------------


@PROPERTIES
@given(case=calendar_and_start(), days=st.integers(1, 12))
def test_a_work_day_deadline_lands_on_a_local_midnight_that_ends_a_work_day(
    case: tuple[BusinessCalendar, datetime], days: int
) -> None:
    calendar, start = case
    due = calendar.full_work_days_after(start, days)
    local_due = due.astimezone(calendar.zone)
    assert local_due.time() == time(0)
    last_day = local_due.date() - timedelta(days=1)
    assert calendar.is_work_day(last_day)
    whole_work_days = [
        day
        for day in days_between(calendar.local_date(start), last_day)
        if calendar.is_work_day(day) and calendar.local_midnight(day) >= start
    ]
    assert len(whole_work_days) == days


@PROPERTIES
# Whole days as well, so that clocks starting at a midnight run out exactly at one.
@given(
    case=calendar_and_start(),
    quarters=st.one_of(st.integers(1, 4 * 80), st.integers(1, 3).map(lambda d: d * 96)),
)
def test_a_work_hours_clock_runs_exactly_its_hours_on_work_days_and_no_longer(
    case: tuple[BusinessCalendar, datetime], quarters: int
) -> None:
    calendar, start = case
    hours = quarters / 4
    due = calendar.work_hours_after(start, hours)
    assert clock_time(calendar, start, due) == timedelta(hours=hours)
    assert clock_time(calendar, start, due - timedelta(seconds=1)) < timedelta(hours=hours)
    local_due = due.astimezone(calendar.zone)
    ends_a_work_day = local_due.time() == time(0) and calendar.is_work_day(
        local_due.date() - timedelta(days=1)
    )
    assert calendar.is_work_day(local_due.date()) or ends_a_work_day


WINDOWS = [(time(8), time(22)), (time(9), time(17, 30)), (time(0, 30), time(23, 45))]


@PROPERTIES
@given(case=calendar_and_start(), minutes=st.integers(1, 3000), window=st.sampled_from(WINDOWS))
def test_a_business_hours_deadline_never_falls_outside_the_window_of_a_work_day(
    case: tuple[BusinessCalendar, datetime], minutes: int, window: tuple[time, time]
) -> None:
    base, start = case
    calendar = BusinessCalendar(base.country, base.timezone, *window)
    due = calendar.business_minutes_after(start, minutes)
    local_due = due.astimezone(calendar.zone)
    assert calendar.is_work_day(local_due.date())
    assert window[0] < local_due.time() <= window[1]
    assert clock_time(calendar, start, due, window) == timedelta(minutes=minutes)


@PROPERTIES
@given(case=calendar_and_start(), hours=st.integers(1, 24 * 40))
def test_plain_clock_time_ignores_the_calendar(
    case: tuple[BusinessCalendar, datetime], hours: int
) -> None:
    _, start = case
    assert clock_after(start, hours=hours) - start == timedelta(hours=hours)
    assert clock_after(start, days=7) == clock_after(start, hours=168)


# -- PLATFORMS.md's examples -------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [GB, FR, CN, HK, US], ids=lambda c: c.country)
def test_submitted_saturday_with_two_full_work_days_is_due_wednesday_midnight(
    calendar: BusinessCalendar,
) -> None:
    due = calendar.full_work_days_after(at(calendar, 2026, 11, 21, 10), 2)
    assert due == at(calendar, 2026, 11, 25)


@pytest.mark.parametrize("calendar", [GB, FR, CN, HK, US], ids=lambda c: c.country)
def test_submitted_monday_morning_with_two_full_work_days_is_due_thursday_midnight(
    calendar: BusinessCalendar,
) -> None:
    due = calendar.full_work_days_after(at(calendar, 2026, 11, 23, 10), 2)
    assert due == at(calendar, 2026, 11, 26)


def test_submitted_at_monday_midnight_monday_is_whole_and_counts() -> None:
    assert GB.full_work_days_after(at(GB, 2026, 11, 23), 2) == at(GB, 2026, 11, 25)


def test_work_hours_submitted_friday_1800_are_due_monday_1800() -> None:
    assert FR.work_hours_after(at(FR, 2026, 11, 20, 18), 24) == at(FR, 2026, 11, 23, 18)


# -- daylight saving ---------------------------------------------------------------------------


def test_london_work_days_across_the_spring_change_end_at_local_midnight() -> None:
    due = GB.full_work_days_after(at(GB, 2026, 3, 27, 10), 2)  # Friday, GMT
    assert due == at(GB, 2026, 4, 1)  # Wednesday 00:00 BST
    assert due == datetime(2026, 3, 31, 23, tzinfo=UTC)


def test_london_work_days_across_the_autumn_change_end_at_local_midnight() -> None:
    due = GB.full_work_days_after(at(GB, 2026, 10, 23, 10), 2)  # Friday, BST
    assert due == datetime(2026, 10, 28, 0, tzinfo=UTC)  # Wednesday 00:00 GMT


def test_paris_work_hours_across_the_spring_change_keep_local_1800() -> None:
    due = FR.work_hours_after(at(FR, 2026, 3, 27, 18), 24)  # Friday, CET
    assert due == at(FR, 2026, 3, 30, 18)  # Monday, CEST
    assert due == datetime(2026, 3, 30, 16, tzinfo=UTC)


def test_paris_work_hours_across_the_autumn_change_keep_local_1800() -> None:
    due = FR.work_hours_after(at(FR, 2026, 10, 23, 18), 24)  # Friday, CEST
    assert due == datetime(2026, 10, 26, 17, tzinfo=UTC)  # Monday 18:00 CET


def test_work_hours_on_a_25_hour_work_day_are_elapsed_hours() -> None:
    # Sunday 25 October 2026 is a work day in Israel and its clocks go back that night.
    due = IL.work_hours_after(at(IL, 2026, 10, 25), 24)
    assert due == at(IL, 2026, 10, 25, 23)


def test_business_window_follows_local_time_after_the_change() -> None:
    paris = BusinessCalendar("FR", "Europe/Paris", time(8), time(22))
    due = paris.business_minutes_after(at(paris, 2026, 10, 23, 21), 120)  # Friday, CEST
    assert due == at(paris, 2026, 10, 26, 9)  # Monday 09:00 CET


# -- China's National Day week -----------------------------------------------------------------


def test_national_day_week_is_off_and_work_days_resume_on_8_october() -> None:
    assert CN.full_work_days_after(at(CN, 2026, 9, 30, 10), 2) == at(CN, 2026, 10, 10)


def test_the_make_up_work_day_saturday_10_october_counts() -> None:
    assert CN.is_work_day(date(2026, 10, 10))
    assert CN.full_work_days_after(at(CN, 2026, 9, 30, 10), 3) == at(CN, 2026, 10, 11)


def test_the_make_up_work_day_sunday_20_september_counts() -> None:
    assert CN.full_work_days_after(at(CN, 2026, 9, 19, 10), 1) == at(CN, 2026, 9, 21)


def test_work_hours_skip_the_national_day_week() -> None:
    assert CN.work_hours_after(at(CN, 2026, 9, 30, 20), 24) == at(CN, 2026, 10, 8, 20)


def test_business_minutes_skip_the_national_day_week_and_run_on_the_make_up_saturday() -> None:
    assert CN.business_minutes_after(at(CN, 2026, 9, 30, 21), 120) == at(CN, 2026, 10, 8, 9)
    assert CN.business_minutes_after(at(CN, 2026, 10, 9, 21, 30), 120) == at(
        CN, 2026, 10, 10, 9, 30
    )


def test_calendar_round_trips_through_its_recorded_form() -> None:
    calendar = BusinessCalendar("CN", "Asia/Shanghai", time(9), time(18))
    assert BusinessCalendar.from_dict(calendar.as_dict()) == calendar
    older = BusinessCalendar.from_dict({"country": "GB", "timezone": "Europe/London"})
    assert (older.business_open, older.business_close) == (time(8), time(22))
    assert older.zone == ZoneInfo("Europe/London")


def test_a_work_day_deadline_needs_at_least_one_work_day() -> None:
    with pytest.raises(ValueError, match="at least one work day"):
        GB.full_work_days_after(at(GB, 2026, 11, 23), 0)
