"""Mail for people waits for the recipient's contact hours on the calendar's work days."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from support.builders import LONDON, local

from domain.calendar import BusinessCalendar

ENGLAND = BusinessCalendar("GB", "Europe/London")
OPENS, CLOSES = time(8), time(20)


@pytest.mark.parametrize(
    ("at", "sent"),
    [
        (local(2026, 11, 28, 0, zone=LONDON), local(2026, 11, 30, 8, zone=LONDON)),  # Saturday
        (local(2026, 11, 30, 7, zone=LONDON), local(2026, 11, 30, 8, zone=LONDON)),
        (local(2026, 11, 30, 19, 59, zone=LONDON), local(2026, 11, 30, 19, 59, zone=LONDON)),
        (local(2026, 11, 30, 20, zone=LONDON), local(2026, 12, 1, 8, zone=LONDON)),
        (local(2026, 12, 24, 21, zone=LONDON), local(2026, 12, 29, 8, zone=LONDON)),  # Christmas
        (local(2026, 8, 29, 3, zone=LONDON), local(2026, 9, 1, 8, zone=LONDON)),  # bank holiday
    ],
)
def test_mail_waits_for_the_next_contact_hour(at: datetime, sent: datetime) -> None:
    assert ENGLAND.next_contact_time(at, OPENS, CLOSES) == sent
