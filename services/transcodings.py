"""How domain values that are not plain JSON are stored in snapshots."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline


class DeadlineAsDict(Transcoding):
    type = Deadline
    name = "deadline"

    def encode(self, obj: Deadline) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Deadline:
        return Deadline.from_dict(data)


class CalendarAsDict(Transcoding):
    type = BusinessCalendar
    name = "business_calendar"

    def encode(self, obj: BusinessCalendar) -> dict[str, str]:
        return obj.as_dict()

    def decode(self, data: dict[str, str]) -> BusinessCalendar:
        return BusinessCalendar.from_dict(data)
