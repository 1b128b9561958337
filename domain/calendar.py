"""Business calendars: work days from `holidays`, local time from `zoneinfo`.

All functions take and return timezone-aware datetimes; elapsed time is measured in UTC, so
daylight-saving changes never stretch or shrink a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Countries whose UK-wide (or nation-wide) list lacks days most of it keeps: plain `GB` has
# neither Easter Monday nor the August bank holiday of England, so GB means England unless a
# store names another subdivision.
DEFAULT_SUBDIVISIONS = {"GB": "ENG"}


@lru_cache(maxsize=64)
def _country_holidays(country: str, subdivision: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


@dataclass(frozen=True)
class BusinessCalendar:
    country: str
    timezone: str
    business_open: time = time(8, 0)
    business_close: time = time(22, 0)
    subdivision: str | None = None

    def __post_init__(self) -> None:
        if self.subdivision is None:
            object.__setattr__(self, "subdivision", DEFAULT_SUBDIVISIONS.get(self.country))

    def as_dict(self) -> dict[str, str]:
        raw = {
            "country": self.country,
            "timezone": self.timezone,
            "business_open": self.business_open.isoformat(),
            "business_close": self.business_close.isoformat(),
        }
        if self.subdivision is not None:
            raw["subdivision"] = self.subdivision
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, str]) -> BusinessCalendar:
        """Cases filed before business hours (or subdivisions) were recorded use the default
        window (and the country's default subdivision)."""
        return cls(
            raw["country"],
            raw["timezone"],
            time.fromisoformat(raw.get("business_open", cls.business_open.isoformat())),
            time.fromisoformat(raw.get("business_close", cls.business_close.isoformat())),
            subdivision=raw.get("subdivision"),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_work_day(self, day: date) -> bool:
        # `is_working_day` knows weekends, public holidays and China's make-up work days.
        return bool(_country_holidays(self.country, self.subdivision).is_working_day(day))

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def full_work_days_after(self, start: datetime, days: int) -> datetime:
        """End (next local midnight) of the N-th work day that starts at or after `start`."""
        if days < 1:
            raise ValueError(f"a work-day deadline needs at least one work day, not {days}")
        day = self.local_date(start)
        if self.local_midnight(day) < start:
            day += timedelta(days=1)  # a day already begun is not whole
        counted = 0
        while True:
            if self.is_work_day(day):
                counted += 1
                if counted == days:
                    return self.local_midnight(day + timedelta(days=1))
            day += timedelta(days=1)

    def work_hours_after(self, start: datetime, hours: float) -> datetime:
        """A clock that runs only on work days (midnight to midnight) and stops on the others."""
        return self._run_clock(start, timedelta(hours=hours), (time(0), None))

    def business_minutes_after(self, start: datetime, minutes: float) -> datetime:
        """A clock that runs only inside the business window of work days."""
        window = (self.business_open, self.business_close)
        return self._run_clock(start, timedelta(minutes=minutes), window)

    def _run_clock(
        self, start: datetime, needed: timedelta, window: tuple[time, time | None]
    ) -> datetime:
        """Spend `needed` inside each work day's window (`None` closes at midnight)."""
        start = start.astimezone(UTC)
        day = self.local_date(start)
        opens, closes = window
        while True:
            if self.is_work_day(day):
                open_at = datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC)
                close_at = (
                    self.local_midnight(day + timedelta(days=1))
                    if closes is None
                    else datetime.combine(day, closes, tzinfo=self.zone).astimezone(UTC)
                )
                begin = max(open_at, start)
                if begin < close_at:
                    available = close_at - begin
                    if needed <= available:
                        return begin + needed
                    needed -= available
            day += timedelta(days=1)


def clock_after(start: datetime, *, hours: float = 0, days: float = 0) -> datetime:
    """Plain elapsed time: 168 h is 7 days whatever the calendar says."""
    return start.astimezone(UTC) + timedelta(hours=hours, days=days)
